#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use imbolc_types::{Action, Curve, MixerParam, ParamTarget, Project, SourceKind, TimeSignature};
use midly::num::{u4, u7, u15, u24, u28};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

use super::*;
use crate::session::NullSink;
use crate::{Session, dispatch};

type Ev = (u32, TrackEventKind<'static>);

fn on(ch: u8, key: u8, vel: u8) -> TrackEventKind<'static> {
    TrackEventKind::Midi { channel: u4::new(ch), message: MidiMessage::NoteOn { key: u7::new(key), vel: u7::new(vel) } }
}
fn off(ch: u8, key: u8) -> TrackEventKind<'static> {
    TrackEventKind::Midi { channel: u4::new(ch), message: MidiMessage::NoteOff { key: u7::new(key), vel: u7::new(0) } }
}
fn cc(ch: u8, c: u8, v: u8) -> TrackEventKind<'static> {
    TrackEventKind::Midi {
        channel: u4::new(ch),
        message: MidiMessage::Controller { controller: u7::new(c), value: u7::new(v) },
    }
}
fn meta(m: MetaMessage<'static>) -> TrackEventKind<'static> {
    TrackEventKind::Meta(m)
}
fn tempo(bpm: u32) -> TrackEventKind<'static> {
    meta(MetaMessage::Tempo(u24::new(60_000_000 / bpm)))
}

fn smf(format: Format, tpq: u16, tracks: Vec<Vec<Ev>>) -> Vec<u8> {
    let mut smf = Smf::new(Header::new(format, Timing::Metrical(u15::new(tpq))));
    for t in tracks {
        let mut events: Vec<TrackEvent> =
            t.into_iter().map(|(d, kind)| TrackEvent { delta: u28::new(d), kind }).collect();
        events.push(TrackEvent { delta: u28::new(0), kind: meta(MetaMessage::EndOfTrack) });
        smf.tracks.push(events);
    }
    let mut bytes = Vec::new();
    smf.write_std(&mut bytes).unwrap();
    bytes
}

#[test]
fn format_0_becomes_one_instrument_per_channel_and_channel_10_a_kit() {
    let bytes = smf(
        Format::SingleTrack,
        96,
        vec![vec![
            (0, tempo(100)),
            (0, meta(MetaMessage::TimeSignature(3, 2, 24, 8))),
            (
                0,
                TrackEventKind::Midi {
                    channel: u4::new(0),
                    message: MidiMessage::ProgramChange { program: u7::new(33) },
                },
            ),
            (0, on(0, 40, 90)),
            (0, on(9, 38, 100)),
            (48, off(9, 38)),
            (48, off(0, 40)),
            (96, on(0, 43, 70)),
            (24, off(0, 43)),
        ]],
    );
    let (p, summary) = new_project(&bytes, "t").unwrap();
    assert_eq!(summary.parts, 2);
    assert_eq!(summary.rounded, 0);
    assert_eq!(p.tempo, 100.0);
    assert_eq!(p.time_signature, TimeSignature { numerator: 3, denominator: 4 });
    let insts: Vec<_> = p.instruments.values().collect();
    assert_eq!(insts[0].name, "Electric Bass (finger) ch 1");
    assert_eq!(insts[0].def.source.kind.id(), "bass_guitar");
    assert!(insts[1].def.drums.is_some(), "channel 10 is a kit");
    let notes = |i: usize| {
        let clip = p.clips.values().find(|c| c.instrument == insts[i].id).unwrap();
        let start = p.placements.values().find(|pl| pl.clip == clip.id).unwrap().start;
        clip.notes.values().map(|n| (n.pitch, n.velocity, start + n.start, n.length)).collect::<Vec<_>>()
    };
    // 96 → 480 ticks per quarter: ×5, exact.
    assert_eq!(notes(0), vec![(40, 90, 0, 480), (43, 70, 960, 120)]);
    assert_eq!(notes(1), vec![(36 + 1, 100, 0, 240)], "GM snare → pad 1");
}

#[test]
fn common_resolutions_need_no_rounding_and_others_report_it() {
    for tpq in [96u16, 192, 384, 480, 960] {
        // Sixteenths and eighth-note triplets at every common resolution.
        let step16 = u32::from(tpq) / 4;
        let trip = u32::from(tpq) / 3;
        let bytes = smf(
            Format::Parallel,
            tpq,
            vec![vec![(0, on(0, 60, 100)), (step16, off(0, 60)), (0, on(0, 62, 100)), (trip, off(0, 62))]],
        );
        let song = read_song(&bytes).unwrap();
        assert_eq!(song.summary.rounded, 0, "{tpq}");
        let n = &song.parts[0].notes;
        assert_eq!((n[0].start, n[0].length, n[1].start, n[1].length), (0, 120, 120, 160), "{tpq}");
    }
    let bytes = smf(Format::Parallel, 7, vec![vec![(1, on(0, 60, 100)), (1, off(0, 60))]]);
    let song = read_song(&bytes).unwrap();
    assert_eq!(song.summary.rounded, 2);
    assert_eq!((song.parts[0].notes[0].start, song.parts[0].notes[0].length), (69, 68));
    assert!(
        song.summary.to_string().contains("2 times rounded to the grid (first in track 1 at quarter note 0.143)"),
        "{}",
        song.summary
    );
}

#[test]
fn notes_never_released_close_at_track_end_and_the_pedal_holds_notes() {
    let bytes = smf(
        Format::Parallel,
        480,
        vec![vec![
            (0, on(0, 60, 100)),
            (0, cc(0, 64, 127)),
            (0, on(0, 64, 100)),
            (240, off(0, 64)),
            (240, cc(0, 64, 0)),
            (960, TrackEventKind::Meta(MetaMessage::Text(b"end"))),
        ]],
    );
    let song = read_song(&bytes).unwrap();
    assert_eq!(song.summary.unclosed, 1);
    assert_eq!(song.summary.sustained, 1);
    let n = &song.parts[0].notes;
    assert_eq!((n[0].pitch, n[0].length), (60, 1440), "closed at the track's end");
    assert_eq!((n[1].pitch, n[1].length), (64, 480), "held to pedal up");
}

#[test]
fn the_tempo_map_becomes_a_step_lane_and_tempo_0_is_ignored() {
    let bytes = smf(
        Format::Parallel,
        480,
        vec![
            vec![(0, tempo(90)), (960, tempo(140)), (0, meta(MetaMessage::Tempo(u24::new(0))))],
            vec![(0, on(0, 60, 100)), (1920, off(0, 60))],
        ],
    );
    let (p, summary) = new_project(&bytes, "t").unwrap();
    assert_eq!(summary.tempo_zero, 1);
    assert_eq!(p.tempo, 90.0);
    let lane = p.automation.values().find(|l| l.target == ParamTarget::Tempo).unwrap();
    assert_eq!(lane.points.iter().map(|(t, v)| (*t, *v)).collect::<Vec<_>>(), vec![(0, 90.0), (960, 140.0)]);
    assert_eq!(lane.curve_at(0), Curve::Step);
}

#[test]
fn volume_sets_the_level_and_changing_pan_becomes_automation() {
    let bytes = smf(
        Format::Parallel,
        480,
        vec![vec![
            (0, cc(0, 7, 127)),
            (0, cc(0, 10, 0)),
            (0, on(0, 60, 100)),
            (480, cc(0, 10, 127)),
            (480, off(0, 60)),
        ]],
    );
    let (p, _) = new_project(&bytes, "t").unwrap();
    let inst = p.instruments.values().next().unwrap();
    assert_eq!(inst.mixer.level, 1.0);
    assert_eq!(inst.mixer.pan, -1.0);
    let lane = p
        .automation
        .values()
        .find(|l| l.target == ParamTarget::Mixer { instrument: inst.id, param: MixerParam::Pan })
        .unwrap();
    assert_eq!(lane.points.iter().map(|(t, v)| (*t, *v)).collect::<Vec<_>>(), vec![(0, -1.0), (480, 1.0)]);
}

#[test]
fn the_mod_wheel_moves_the_sources_timbre_as_it_does_live() {
    let bytes = smf(
        Format::Parallel,
        480,
        vec![vec![(0, cc(0, 1, 0)), (0, on(0, 60, 100)), (480, cc(0, 1, 127)), (480, off(0, 60))]],
    );
    let (p, summary) = new_project(&bytes, "t").unwrap();
    assert_eq!(summary.mod_wheel, 0, "all kept");
    let inst = p.instruments.values().next().unwrap();
    let timbre = inst.def.source.kind.spec().timbre_param().expect("the GM piano's source has a timbre");
    let target = ParamTarget::Source { instrument: inst.id, param: timbre.id.to_owned() };
    let lane = p.automation.values().find(|l| l.target == target).expect("a timbre lane");
    assert_eq!(lane.points.iter().map(|(t, v)| (*t, *v)).collect::<Vec<_>>(), vec![(0, timbre.min), (480, timbre.max)]);
}

#[test]
fn bad_files_give_typed_errors() {
    let good = smf(Format::Parallel, 480, vec![vec![(0, on(0, 60, 100)), (480, off(0, 60))]]);
    let format2 = smf(Format::Sequential, 480, vec![vec![(0, on(0, 60, 100))]]);
    assert!(matches!(read_song(&format2), Err(MidiFileError::Format2)));
    let truncated = &good[..good.len() - 3];
    assert!(matches!(read_song(truncated), Err(MidiFileError::Malformed { .. })), "truncated");
    let mut past_end = good.clone();
    past_end[21] = 0x7f; // the track chunk's length, far past the end
    assert!(matches!(read_song(&past_end), Err(MidiFileError::Malformed { .. })), "chunk past the end");
    // A track starting with a data byte: running status with no status.
    let mut running = good[..14].to_vec();
    running.extend_from_slice(b"MTrk\0\0\0\x04\x00\x3c\x40\x00");
    let e = read_song(&running).unwrap_err();
    assert!(matches!(e, MidiFileError::Malformed { track: Some(1), .. }), "{e}");
    assert!(read_song(b"RIFF").is_err());
    assert!(read_song(b"").is_err());
    let mut smpte = good.clone();
    smpte[12] = 0xe7; // -25 fps
    assert!(matches!(read_song(&smpte), Err(MidiFileError::SmpteTiming { fps: 25 })));
    let huge = smf(
        Format::Parallel,
        1,
        vec![vec![(0, on(0, 60, 100)); 1].into_iter().chain((0..40).map(|_| (0x0fff_ffff, off(0, 61)))).collect()],
    );
    assert!(matches!(read_song(&huge), Err(MidiFileError::TooLong { .. })));
}

#[test]
fn an_import_into_a_project_is_one_undo_step() {
    let mut p = Project::new("mine");
    dispatch(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() }).unwrap();
    let clip_action =
        Action::AddClip { instrument: *p.instruments.keys().next().unwrap(), name: "c".into(), length: 480 };
    dispatch(&mut p, clip_action).unwrap();
    let clip = *p.clips.keys().next().unwrap();
    dispatch(&mut p, Action::AddPlacement { clip, start: 0, length: 480 }).unwrap();
    let before = p.clone();
    let mut session = Session::new(p, NullSink);
    let bytes = smf(
        Format::Parallel,
        480,
        vec![
            vec![(0, tempo(60))],
            vec![(0, cc(0, 10, 0)), (0, on(0, 60, 100)), (480, cc(0, 10, 90)), (480, off(0, 60))],
        ],
    );
    let summary = import_into(&mut session, &bytes).unwrap();
    assert!(summary.tempo_kept, "a project with a song keeps its tempo");
    assert_eq!(session.project().tempo, before.tempo);
    assert_eq!(session.project().instruments.len(), 2);
    assert_eq!(session.history().undo_label(), Some(import::UNDO_LABEL));
    session.undo().unwrap();
    assert_eq!(session.project(), &before);
    session.redo().unwrap();
    assert_eq!(session.project().note_count(), 1);
}

#[test]
fn an_export_reads_back_as_the_same_song() {
    let bytes = smf(
        Format::Parallel,
        960,
        vec![
            vec![(0, tempo(120)), (0, meta(MetaMessage::TimeSignature(6, 3, 24, 8))), (3840, tempo(80))],
            vec![(0, meta(MetaMessage::TrackName(b"lead"))), (480, on(0, 72, 99)), (960, off(0, 72))],
            vec![(0, on(9, 36, 120)), (240, off(9, 36)), (240, on(9, 42, 60)), (240, off(9, 42))],
        ],
    );
    let (p, _) = new_project(&bytes, "t").unwrap();
    let (out, summary) = export(&p, &ExportOptions::default()).unwrap();
    assert_eq!(summary, ExportSummary { tracks: 2, notes: 3 });
    let back = read_song(&out).unwrap();
    let first = read_song(&bytes).unwrap();
    assert_eq!(back.tempo, first.tempo);
    assert_eq!(back.time_signature, first.time_signature);
    assert_eq!(back.parts.len(), 2);
    assert_eq!(back.parts[0].name, "lead");
    assert_eq!(back.parts[0].notes, first.parts[0].notes);
    assert_eq!(back.parts[1].notes, first.parts[1].notes, "kit pads go back to their GM notes");
    assert_eq!(back.parts[1].channel, 9);
}

#[test]
fn export_ranges_and_muting() {
    let bytes = smf(
        Format::Parallel,
        480,
        vec![
            vec![(0, on(0, 60, 100)), (480, off(0, 60)), (3360, on(0, 62, 100)), (480, off(0, 62))],
            vec![(0, on(1, 50, 90)), (480, off(1, 50))],
        ],
    );
    let (mut p, _) = new_project(&bytes, "t").unwrap();
    let second = *p.instruments.keys().nth(1).unwrap();
    dispatch(&mut p, Action::SetMute { instrument: second, mute: true }).unwrap();
    let bar2 = ExportOptions { range: "3-3".parse().unwrap(), include_muted: false };
    let back = read_song(&export(&p, &bar2).unwrap().0).unwrap();
    assert_eq!(back.parts.len(), 1, "the muted one is left out");
    assert_eq!(back.parts[0].notes.iter().map(|n| (n.pitch, n.start)).collect::<Vec<_>>(), vec![(62, 0)]);
    let all = ExportOptions { include_muted: true, ..ExportOptions::default() };
    assert_eq!(read_song(&export(&p, &all).unwrap().0).unwrap().parts.len(), 2);
    let clip = *p.clips.keys().next().unwrap();
    let one = ExportOptions { range: ExportRange::Clip(clip), include_muted: false };
    assert_eq!(read_song(&export(&p, &one).unwrap().0).unwrap().summary.notes, 2);
    assert!(matches!("5-2".parse::<ExportRange>(), Err(MidiFileError::BadRange(_))));
    assert!(matches!("0-2".parse::<ExportRange>(), Err(MidiFileError::BadRange(_))));
    assert_eq!("clip:7".parse::<ExportRange>().unwrap(), ExportRange::Clip(imbolc_types::ClipId(7)));
    let missing = ExportOptions { range: ExportRange::Clip(imbolc_types::ClipId(99)), include_muted: false };
    assert!(matches!(export(&p, &missing), Err(MidiFileError::NoSuchClip(_))));
}
