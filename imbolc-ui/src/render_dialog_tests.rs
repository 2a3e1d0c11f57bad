//! Tests of the render dialog (keys, rows, snapshots, a real cancelled render).

use super::*;
use crossterm::event::KeyEvent;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn press(d: &mut RenderDialog, keys: &[KeyCode]) {
    for k in keys {
        d.key(KeyEvent::from(*k), &Project::new("x"));
    }
}

fn draw(d: &RenderDialog) -> TestBackend {
    let mut term = Terminal::new(TestBackend::new(70, 18)).unwrap();
    term.draw(|f| d.render(f)).unwrap();
    term.backend().clone()
}

#[test]
fn the_loop_region_is_a_range_below_the_whole_song() {
    let mut d = RenderDialog::new(PathBuf::from("/songs/demo-render"), Some((1920, 5760)));
    d.row = 1;
    assert_eq!(d.options().range, RenderRange::Whole);
    press(&mut d, &[KeyCode::Char('h')]);
    assert_eq!(d.options().range, RenderRange::Ticks { start: 1920, end: 5760 });
    press(&mut d, &[KeyCode::Char('l')]);
    assert_eq!(d.options().range, RenderRange::Whole);
    let mut no_loop = RenderDialog::new(PathBuf::from("/songs/demo-render"), None);
    no_loop.row = 1;
    press(&mut no_loop, &[KeyCode::Char('h')]);
    assert_eq!(no_loop.options().range, RenderRange::Whole, "no loop region, nothing below the whole song");
}

#[test]
fn rows_change_the_options() {
    let mut d = RenderDialog::new(PathBuf::from("/songs/demo-render"), None);
    press(&mut d, &[KeyCode::Home]);
    d.row = 0;
    press(&mut d, &[KeyCode::Char('l'), KeyCode::Char('j'), KeyCode::Char('l'), KeyCode::Char('l')]);
    press(&mut d, &[KeyCode::Char('j'), KeyCode::Char('l'), KeyCode::Char('l'), KeyCode::Char('l')]);
    press(
        &mut d,
        &[KeyCode::Char('j'), KeyCode::Char('h'), KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('l')],
    );
    let o = d.options();
    assert!(!o.stems);
    assert_eq!(o.range, RenderRange::Bars { first: 2, last: 5 });
    assert_eq!(o.rate, 44_100);
    assert_eq!(o.format, SampleFormat::Float32);
    insta::assert_snapshot!("render_dialog_options", draw(&d));
}

#[test]
fn the_format_row_cycles_wav_flac_ogg_mp3_and_the_quality_row_follows_it() {
    let mut d = RenderDialog::new(PathBuf::from("/songs/demo-render"), None);
    let row = |r: Row| ROWS.iter().position(|x| *x == r).unwrap();
    d.row = row(Row::Quality);
    press(&mut d, &[KeyCode::Char('l')]);
    assert_eq!((d.options().file_format, d.options().format), (FileFormat::Wav, SampleFormat::Float32));
    d.row = row(Row::FileFormat);
    press(&mut d, &[KeyCode::Char('l')]);
    let o = d.options();
    assert_eq!((o.file_format, o.format), (FileFormat::Flac, SampleFormat::Int24), "FLAC has no float");
    assert!(o.validate().is_ok());
    d.row = row(Row::Quality);
    press(&mut d, &[KeyCode::Char('l')]);
    assert_eq!(d.options().format, SampleFormat::Int16);
    press(&mut d, &[KeyCode::Char('l')]);
    assert_eq!(d.options().format, SampleFormat::Int24, "16 and 24 bits only");
    d.row = row(Row::FileFormat);
    press(&mut d, &[KeyCode::Char('l')]);
    d.row = row(Row::Quality);
    press(&mut d, &[KeyCode::Char('h'), KeyCode::Char('h')]);
    assert_eq!((d.options().file_format, d.options().ogg_quality), (FileFormat::Ogg, 4));
    insta::assert_snapshot!("render_dialog_ogg", draw(&d));
    d.row = row(Row::FileFormat);
    press(&mut d, &[KeyCode::Char('l')]);
    d.row = row(Row::Quality);
    press(&mut d, &[KeyCode::Char('h')]);
    assert_eq!((d.options().file_format, d.options().mp3_bitrate), (FileFormat::Mp3, 256));
    d.row = row(Row::FileFormat);
    press(&mut d, &[KeyCode::Char('l')]);
    assert_eq!(d.options().file_format, FileFormat::Wav, "and round again");
    press(&mut d, &[KeyCode::Char('h')]);
    assert_eq!(d.options().file_format, FileFormat::Mp3);
}

#[test]
fn a_failed_render_shows_its_error_and_any_key_closes() {
    let mut d = RenderDialog::new(PathBuf::from("/tmp/imbolc-render-dialog-test"), None);
    d.key(KeyEvent::from(KeyCode::Enter), &Project::new("empty"));
    assert!(d.is_running());
    while d.is_running() {
        d.poll();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    insta::assert_snapshot!("render_dialog_failed", draw(&d));
    assert_eq!(d.key(KeyEvent::from(KeyCode::Char('x')), &Project::new("e")), DialogOutcome::Close);
}

#[test]
fn the_gauge_shows_progress_and_esc_cancels() {
    let mut d = RenderDialog::new(PathBuf::from("/songs/demo-render"), None);
    let (tx, rx) = channel();
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    let handle = std::thread::spawn(move || {
        while !flag.load(Ordering::Relaxed) {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        Err(RenderError::Cancelled)
    });
    d.stage = Stage::Running(Job {
        cancel: Arc::clone(&cancel),
        progress: rx,
        last: RenderProgress { phase: Phase::Rendering, fraction: 0.0 },
        handle: Some(handle),
    });
    tx.send(RenderProgress { phase: Phase::Rendering, fraction: 0.42 }).unwrap();
    assert!(d.poll());
    insta::assert_snapshot!("render_dialog_running", draw(&d));
    press(&mut d, &[KeyCode::Esc]);
    assert!(cancel.load(Ordering::Relaxed));
    while d.is_running() {
        d.poll();
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let Stage::Done(Err(e)) = &d.stage else { panic!("done expected") };
    assert_eq!(e, "render cancelled");
}

/// Children of this process named scsynth that write into `dir` (other
/// tests of this binary render at the same time).
fn our_scsynths(dir: &std::path::Path) -> Vec<String> {
    let me = std::process::id().to_string();
    let dir = dir.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| {
            let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
            // pid (comm) state ppid …
            let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            stat.contains("(scsynth)")
                && after.split_whitespace().nth(1) == Some(me.as_str())
                && String::from_utf8_lossy(&cmdline).contains(&dir)
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn esc_cancels_a_real_render_kills_scsynth_and_leaves_nothing() {
    let out = std::env::temp_dir().join(format!("imbolc-render-dialog-esc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let mut song = imbolc_tests::corpus::base_song();
    for c in song.clips.values_mut() {
        c.looping = true;
    }
    for pl in song.placements.values_mut() {
        pl.length = 40 * 60 * 960; // 40 minutes at 120 BPM
    }
    let mut d = RenderDialog::new(out.clone(), None);
    d.key(KeyEvent::from(KeyCode::Enter), &song);
    assert!(d.is_running());
    let listing = || -> Vec<String> {
        std::fs::read_dir(&out)
            .map(|r| r.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default()
    };
    let started = std::time::Instant::now();
    while !listing().iter().any(|f| f.ends_with(".raw")) {
        assert!(started.elapsed().as_secs() < 60, "scsynth never started: {:?} {:?}", d.stage, listing());
        d.poll();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let renders = our_scsynths(&out);
    assert_eq!(renders.len(), 1, "scsynth renders");
    press(&mut d, &[KeyCode::Esc]);
    let cancelled = std::time::Instant::now();
    while d.is_running() {
        assert!(cancelled.elapsed().as_secs() < 20, "still running after Esc");
        d.poll();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let Stage::Done(Err(e)) = &d.stage else { panic!("a cancelled render expected") };
    assert_eq!(e, "render cancelled");
    assert_eq!(listing(), Vec::<String>::new(), "no temporary or partial file left");
    // Gone from /proc: killed and reaped (a zombie would still be listed).
    let left: Vec<_> = renders.iter().filter(|pid| std::path::Path::new("/proc").join(pid).exists()).collect();
    assert!(left.is_empty(), "scsynth {left:?} was not killed and reaped");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn the_summary_shows_each_files_loudness_and_waveform() {
    let mut d = RenderDialog::new(PathBuf::from("/songs/demo-render"), None);
    let file = |stem: &str, sketch: Vec<f32>| render::RenderedFile {
        stem: stem.into(),
        path: PathBuf::from(format!("/songs/demo-render/{stem}.wav")),
        peak_dbfs: -1.0,
        lufs: -14.2,
        sketch,
    };
    let files = vec![file("master", vec![0.9; 16]), file("lead synth", [vec![0.0; 8], vec![0.05; 8]].concat())];
    d.stage = Stage::Done(Ok(RenderSummary { files, rate: 48_000, frames: 96_000, music_secs: 2.0, wall_secs: 0.1 }));
    let mut term = Terminal::new(TestBackend::new(90, 20)).unwrap();
    term.draw(|f| d.render(f)).unwrap();
    let buf = term.backend().buffer().clone();
    let text: Vec<String> =
        (0..buf.area.height).map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_owned()).collect()).collect();
    let row = |name: &str| text.iter().find(|l| l.contains(name)).cloned().unwrap_or_default();
    assert!(row("master.wav").contains("-14.2  ████████████████"), "{text:#?}");
    assert!(row("lead synth.wav").contains("-14.2          ▅▅▅▅▅▅▅▅"), "silent first half: {text:#?}");
}
