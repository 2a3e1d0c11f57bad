//! General MIDI tables: which catalog source plays each GM program, and
//! which pad of the default drum kit plays each GM drum note. Both are
//! documented in `docs/midi-files.md`; a test checks every source id exists.

use imbolc_types::SourceKind;

/// GM program (0-based) → (GM name, catalog source id). One row per program.
pub const GM_PROGRAMS: [(&str, &str); 128] = [
    // Piano
    ("Acoustic Grand Piano", "piano"),
    ("Bright Acoustic Piano", "piano"),
    ("Electric Grand Piano", "piano"),
    ("Honky-tonk Piano", "piano"),
    ("Electric Piano 1", "epiano"),
    ("Electric Piano 2", "fm_epiano"),
    ("Harpsichord", "harp"),
    ("Clavinet", "pluck_lead"),
    // Chromatic percussion
    ("Celesta", "celesta"),
    ("Glockenspiel", "glockenspiel"),
    ("Music Box", "music_box"),
    ("Vibraphone", "vibraphone"),
    ("Marimba", "marimba"),
    ("Xylophone", "xylophone"),
    ("Tubular Bells", "tubular_bell"),
    ("Dulcimer", "harp"),
    // Organ
    ("Drawbar Organ", "organ"),
    ("Percussive Organ", "organ"),
    ("Rock Organ", "organ"),
    ("Church Organ", "organ"),
    ("Reed Organ", "organ"),
    ("Accordion", "organ"),
    ("Harmonica", "clarinet"),
    ("Tango Accordion", "organ"),
    // Guitar
    ("Acoustic Guitar (nylon)", "guitar"),
    ("Acoustic Guitar (steel)", "guitar"),
    ("Electric Guitar (jazz)", "guitar"),
    ("Electric Guitar (clean)", "guitar"),
    ("Electric Guitar (muted)", "ks_pluck"),
    ("Overdriven Guitar", "guitar"),
    ("Distortion Guitar", "guitar"),
    ("Guitar Harmonics", "ks_pluck"),
    // Bass
    ("Acoustic Bass", "bass_guitar"),
    ("Electric Bass (finger)", "bass_guitar"),
    ("Electric Bass (pick)", "bass_guitar"),
    ("Fretless Bass", "bass_guitar"),
    ("Slap Bass 1", "bass_guitar"),
    ("Slap Bass 2", "bass_guitar"),
    ("Synth Bass 1", "moog_bass"),
    ("Synth Bass 2", "fm_bass"),
    // Strings
    ("Violin", "bowed"),
    ("Viola", "bowed"),
    ("Cello", "bowed"),
    ("Contrabass", "bowed"),
    ("Tremolo Strings", "strings"),
    ("Pizzicato Strings", "ks_pluck"),
    ("Orchestral Harp", "harp"),
    ("Timpani", "membrane"),
    // Ensemble
    ("String Ensemble 1", "strings"),
    ("String Ensemble 2", "strings"),
    ("Synth Strings 1", "strings"),
    ("Synth Strings 2", "strings"),
    ("Choir Aahs", "choir"),
    ("Voice Oohs", "choir"),
    ("Synth Voice", "choir"),
    ("Orchestra Hit", "brass_stab"),
    // Brass
    ("Trumpet", "fm_brass"),
    ("Trombone", "fm_brass"),
    ("Tuba", "fm_brass"),
    ("Muted Trumpet", "fm_brass"),
    ("French Horn", "fm_brass"),
    ("Brass Section", "brass_stab"),
    ("Synth Brass 1", "brass_stab"),
    ("Synth Brass 2", "brass_stab"),
    // Reed
    ("Soprano Sax", "clarinet"),
    ("Alto Sax", "clarinet"),
    ("Tenor Sax", "clarinet"),
    ("Baritone Sax", "clarinet"),
    ("Oboe", "clarinet"),
    ("English Horn", "clarinet"),
    ("Bassoon", "clarinet"),
    ("Clarinet", "clarinet"),
    // Pipe
    ("Piccolo", "pipe"),
    ("Flute", "pipe"),
    ("Recorder", "pipe"),
    ("Pan Flute", "pipe"),
    ("Blown Bottle", "pipe"),
    ("Shakuhachi", "pipe"),
    ("Whistle", "pipe"),
    ("Ocarina", "pipe"),
    // Synth lead
    ("Lead 1 (square)", "square"),
    ("Lead 2 (sawtooth)", "saw"),
    ("Lead 3 (calliope)", "pipe"),
    ("Lead 4 (chiff)", "pluck_lead"),
    ("Lead 5 (charang)", "hard_sync"),
    ("Lead 6 (voice)", "formant"),
    ("Lead 7 (fifths)", "supersaw"),
    ("Lead 8 (bass + lead)", "acid"),
    // Synth pad
    ("Pad 1 (new age)", "analog_pad"),
    ("Pad 2 (warm)", "analog_pad"),
    ("Pad 3 (polysynth)", "poly_synth"),
    ("Pad 4 (choir)", "choir"),
    ("Pad 5 (bowed)", "strings"),
    ("Pad 6 (metallic)", "fm_pad"),
    ("Pad 7 (halo)", "analog_pad"),
    ("Pad 8 (sweep)", "analog_pad"),
    // Synth effects
    ("FX 1 (rain)", "fm_bell"),
    ("FX 2 (soundtrack)", "analog_pad"),
    ("FX 3 (crystal)", "fm_bell"),
    ("FX 4 (atmosphere)", "analog_pad"),
    ("FX 5 (brightness)", "supersaw"),
    ("FX 6 (goblins)", "formant"),
    ("FX 7 (echoes)", "fm_bell"),
    ("FX 8 (sci-fi)", "wavetable"),
    // Ethnic
    ("Sitar", "sitar"),
    ("Banjo", "guitar"),
    ("Shamisen", "koto"),
    ("Koto", "koto"),
    ("Kalimba", "kalimba"),
    ("Bagpipe", "pipe"),
    ("Fiddle", "bowed"),
    ("Shanai", "clarinet"),
    // Percussive
    ("Tinkle Bell", "glockenspiel"),
    ("Agogo", "steel_drum"),
    ("Steel Drums", "steel_drum"),
    ("Woodblock", "marimba"),
    ("Taiko Drum", "membrane"),
    ("Melodic Tom", "membrane"),
    ("Synth Drum", "membrane"),
    ("Reverse Cymbal", "noise"),
    // Sound effects
    ("Guitar Fret Noise", "ks_pluck"),
    ("Breath Noise", "noise"),
    ("Seashore", "noise"),
    ("Bird Tweet", "sine"),
    ("Telephone Ring", "square"),
    ("Helicopter", "noise"),
    ("Applause", "noise"),
    ("Gunshot", "noise"),
];

/// The source for GM program `program` (0-based); piano when none was
/// given, saw if the table named a source this build lacks (a test rules
/// that out).
pub fn source_for_program(program: Option<u8>) -> SourceKind {
    let id = GM_PROGRAMS.get(usize::from(program.unwrap_or(0))).map_or("piano", |(_, id)| *id);
    SourceKind::from_id(id).unwrap_or(SourceKind::SAW)
}

/// The GM program exported for `source`: the first row that names it,
/// else 0 (piano).
pub fn program_for_source(source: SourceKind) -> u8 {
    GM_PROGRAMS.iter().position(|(_, id)| *id == source.id()).and_then(|p| u8::try_from(p).ok()).unwrap_or(0)
}

/// The note of the default kit's first pad: pad `n` plays note `KIT_BASE_NOTE + n`.
pub const KIT_BASE_NOTE: u8 = 36;

/// GM drum note 35..=81 → pad of the default kit (see
/// `imbolc_types::DrumKit::default`: 0 kick, 1 snare, 2 clap, 3 closed hat,
/// 4 open hat, 5 tom, 6 rim, 7 cowbell, 8 clave, 9 conga, 10 shaker,
/// 11 crash, 12 ride, 13 low tom, 14 high tom, 15 low kick).
const GM_DRUMS: [u8; 47] = [
    15, // 35 Acoustic Bass Drum
    0,  // 36 Bass Drum 1
    6,  // 37 Side Stick
    1,  // 38 Acoustic Snare
    2,  // 39 Hand Clap
    1,  // 40 Electric Snare
    13, // 41 Low Floor Tom
    3,  // 42 Closed Hi-Hat
    13, // 43 High Floor Tom
    3,  // 44 Pedal Hi-Hat
    5,  // 45 Low Tom
    4,  // 46 Open Hi-Hat
    5,  // 47 Low-Mid Tom
    14, // 48 Hi-Mid Tom
    11, // 49 Crash Cymbal 1
    14, // 50 High Tom
    12, // 51 Ride Cymbal 1
    11, // 52 Chinese Cymbal
    12, // 53 Ride Bell
    10, // 54 Tambourine
    11, // 55 Splash Cymbal
    7,  // 56 Cowbell
    11, // 57 Crash Cymbal 2
    10, // 58 Vibraslap
    12, // 59 Ride Cymbal 2
    9,  // 60 Hi Bongo
    9,  // 61 Low Bongo
    9,  // 62 Mute Hi Conga
    9,  // 63 Open Hi Conga
    9,  // 64 Low Conga
    14, // 65 High Timbale
    5,  // 66 Low Timbale
    7,  // 67 High Agogo
    7,  // 68 Low Agogo
    10, // 69 Cabasa
    10, // 70 Maracas
    8,  // 71 Short Whistle
    8,  // 72 Long Whistle
    10, // 73 Short Guiro
    10, // 74 Long Guiro
    8,  // 75 Claves
    8,  // 76 Hi Wood Block
    8,  // 77 Low Wood Block
    9,  // 78 Mute Cuica
    9,  // 79 Open Cuica
    7,  // 80 Mute Triangle
    7,  // 81 Open Triangle
];

/// The pad that plays GM drum note `note`; `None` outside the GM map
/// (35..=81).
pub fn pad_for_drum_note(note: u8) -> Option<u8> {
    note.checked_sub(35).and_then(|i| GM_DRUMS.get(usize::from(i)).copied())
}

/// The GM note exported for pad `pad` (the pad's main GM sound).
pub fn drum_note_for_pad(pad: u8) -> Option<u8> {
    const NOTES: [u8; 16] = [36, 38, 39, 42, 46, 45, 37, 56, 75, 63, 70, 49, 51, 41, 50, 35];
    NOTES.get(usize::from(pad)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_program_names_a_catalog_source() {
        for (i, (name, id)) in GM_PROGRAMS.iter().enumerate() {
            assert!(SourceKind::from_id(id).is_some(), "program {i} {name}: no source {id}");
        }
        assert_eq!(source_for_program(None).id(), "piano");
        assert_eq!(source_for_program(Some(33)).id(), "bass_guitar");
    }

    #[test]
    fn drum_notes_and_pads_map_both_ways() {
        assert_eq!(pad_for_drum_note(36), Some(0));
        assert_eq!(pad_for_drum_note(34), None);
        assert_eq!(pad_for_drum_note(82), None);
        for pad in 0..16 {
            let note = drum_note_for_pad(pad).unwrap_or(0);
            assert_eq!(pad_for_drum_note(note), Some(pad), "pad {pad}");
        }
        assert_eq!(drum_note_for_pad(16), None);
    }
}
