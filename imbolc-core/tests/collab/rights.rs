//! Ownership and rights: a client's edit of an instrument another
//! collaborator owns is refused (every kind of edit), a project-wide edit
//! needs the host's grant, and replicas stay equal.

use std::time::{Duration, Instant};

use imbolc_core::collab::{ClientEvent, HostEvent};
use imbolc_types::{
    Action, BusId, ChainOwner, ClipId, EffectKind, FilterDef, FilterKind, InstrumentId, LaneId, MixerParam, Note,
    ParamTarget, PlacementId, Project, SourceKind, StepResolution, TimeSignature,
};

use crate::harness::{HostThread, Peer, roomy};

/// The ids of the test project.
#[derive(Clone, Copy)]
pub struct Ids {
    pub lead: InstrumentId,
    pub pad: InstrumentId,
    pub kit: InstrumentId,
    pub clip: ClipId,
    pub pattern: ClipId,
    pub placement: PlacementId,
    pub lane: LaneId,
    pub bus: BusId,
}

fn act(p: &mut Project, a: Action) {
    imbolc_core::dispatch(p, a).unwrap();
}

/// Two synths (lead, pad) and a drum kit, a clip with a placement, a
/// drum pattern, an automation lane of the lead and a bus.
pub fn project() -> (Project, Ids) {
    let mut p = Project::new("rights");
    act(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() });
    act(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "pad".into() });
    act(&mut p, Action::AddDrumKit { name: "kit".into() });
    let by_name = |p: &Project, n: &str| *p.instruments.iter().find(|(_, i)| i.name == n).unwrap().0;
    let (lead, pad, kit) = (by_name(&p, "lead"), by_name(&p, "pad"), by_name(&p, "kit"));
    act(&mut p, Action::AddClip { instrument: lead, name: "a".into(), length: 3840 });
    let clip = *p.clips.keys().last().unwrap();
    act(&mut p, Action::AddPlacement { clip, start: 0, length: 3840 });
    let placement = *p.placements.keys().last().unwrap();
    let pattern_action = Action::AddDrumPattern {
        instrument: kit,
        name: "beat".into(),
        steps: 16,
        resolution: StepResolution::Sixteenth,
    };
    act(&mut p, pattern_action);
    let pattern = *p.clips.keys().last().unwrap();
    act(&mut p, Action::AddLane { target: ParamTarget::Mixer { instrument: lead, param: MixerParam::Level } });
    let lane = *p.automation.keys().last().unwrap();
    act(&mut p, Action::AddBus { name: "verb".into() });
    let bus = *p.buses.keys().last().unwrap();
    (p, Ids { lead, pad, kit, clip, pattern, placement, lane, bus })
}

fn note(pitch: u8) -> Note {
    Note { pitch, velocity: 100, start: 0, length: 240, probability: 100 }
}

/// One edit of each kind on the lead or the kit.
fn edits_of_owned(ids: Ids) -> Vec<(&'static str, Action)> {
    let lead = ids.lead;
    vec![
        ("note", Action::AddNote { clip: ids.clip, note: note(60) }),
        ("drum step", Action::ToggleDrumStep { clip: ids.pattern, key: (0, 0) }),
        ("automation", Action::SetAutomationPoint { lane: ids.lane, tick: 0, value: 0.5 }),
        (
            "param",
            Action::SetParam { target: ParamTarget::Mixer { instrument: lead, param: MixerParam::Pan }, value: 0.3 },
        ),
        ("effect", Action::AddEffect { owner: ChainOwner::Instrument(lead), kind: EffectKind::REVERB, index: None }),
        ("filter", Action::SetFilter { instrument: lead, filter: Some(FilterDef::new(FilterKind::LOW_PASS)) }),
        ("send", Action::AddSend { instrument: lead, bus: ids.bus, level: 0.5 }),
        ("mixer strip", Action::SetMute { instrument: lead, mute: true }),
        ("clip", Action::AddClip { instrument: lead, name: "b".into(), length: 960 }),
        ("placement", Action::MovePlacement { placement: ids.placement, start: 960 }),
        ("launcher slot", Action::SetLauncherSlot { instrument: lead, scene: 0, clip: Some(ids.clip) }),
        ("rename", Action::RenameInstrument { instrument: ids.kit, name: "drums".into() }),
    ]
}

/// Sends `action` and waits for the host's answer: `Ok` when it was
/// applied, the refusal's reason otherwise.
pub fn outcome(peer: &mut Peer, action: Action) -> Result<(), String> {
    let me = peer.client.id();
    let mine = |p: &Peer| {
        p.events.iter().filter(|e| matches!(e, ClientEvent::Applied { author, .. } if *author == me)).count()
    };
    let before = mine(peer);
    let id = peer.client.send(action).unwrap();
    peer.client.flush();
    let refusal = |p: &Peer| {
        p.events.iter().find_map(|e| match e {
            ClientEvent::Refused { id: r, reason } if *r == id => Some(reason.clone()),
            _ => None,
        })
    };
    peer.until(Duration::from_secs(10), |p| refusal(p).is_some() || mine(p) > before);
    refusal(peer).map_or(Ok(()), Err)
}

/// Pumps until `cond` holds on the peer's view of the rights.
pub fn until_rights(peer: &mut Peer, cond: impl Fn(&imbolc_core::collab::Rights) -> bool) {
    peer.until(Duration::from_secs(10), |p| cond(p.client.rights()));
}

/// Pumps every peer until each has applied the host's last action.
pub fn settle(host: &HostThread, peers: &mut [&mut Peer]) {
    let seq = host.seq();
    for p in peers.iter_mut() {
        p.until(Duration::from_secs(10), |p| p.client.seq() == seq);
    }
}

#[test]
fn owned_instrument_edits_are_refused_for_others_and_allowed_for_the_owner() {
    let (project, ids) = project();
    let host = HostThread::start(project, roomy());
    let mut owner = Peer::join(host.addr, &host.code, &roomy());
    let mut other = Peer::join(host.addr, &host.code, &roomy());
    let owner_id = owner.client.id();
    // The owner claims the lead; the host assigns it the kit.
    owner.client.claim(ids.lead, true).unwrap();
    host.run(move |h, p| h.assign(p, ids.kit, Some(owner_id))).unwrap();
    for p in [&mut owner, &mut other] {
        until_rights(p, |r| r.owner(ids.lead) == Some(owner_id) && r.owner(ids.kit) == Some(owner_id));
    }
    // Someone else's instrument cannot be claimed.
    other.client.claim(ids.lead, true).unwrap();
    other.until(Duration::from_secs(10), |p| p.events.iter().any(|e| matches!(e, ClientEvent::Refused { id: 0, .. })));

    for (kind, action) in edits_of_owned(ids) {
        let refused = outcome(&mut other, action.clone());
        let reason = refused.expect_err(kind);
        assert!(reason.contains("belongs to"), "{kind}: {reason}");
        assert_eq!(outcome(&mut owner, action), Ok(()), "{kind} by the owner");
    }
    // An unowned instrument is anyone's to edit.
    let pad = Action::SetMute { instrument: ids.pad, mute: true };
    assert_eq!(outcome(&mut other, pad), Ok(()));
    settle(&host, &mut [&mut owner, &mut other]);
    let truth = host.project();
    assert!(owner.replica == truth && other.replica == truth, "replicas equal after refusals");

    // Leaving frees what the collaborator owned.
    drop(owner);
    until_rights(&mut other, |r| r.owners.is_empty());
    assert_eq!(outcome(&mut other, Action::SetMute { instrument: ids.lead, mute: false }), Ok(()));
}

#[test]
fn project_wide_edits_need_the_hosts_grant() {
    let (project, ids) = project();
    let host = HostThread::start(project, roomy());
    let mut peer = Peer::join(host.addr, &host.code, &roomy());
    let id = peer.client.id();
    let wide = [
        ("tempo", Action::SetParam { target: ParamTarget::Tempo, value: 133.0 }),
        ("time signature", Action::SetTimeSignature(TimeSignature { numerator: 3, denominator: 4 })),
        ("bus", Action::AddBus { name: "delay".into() }),
        (
            "bus level",
            Action::SetParam { target: ParamTarget::BusMixer { bus: ids.bus, param: MixerParam::Level }, value: 0.5 },
        ),
        ("master", Action::SetMasterMute { mute: true }),
        ("project name", Action::RenameProject { name: "ours".into() }),
    ];
    for (kind, action) in &wide {
        let reason = outcome(&mut peer, action.clone()).expect_err(kind);
        assert!(reason.contains("grant"), "{kind}: {reason}");
    }
    // The host reports a refusal on its own channel, which may trail the
    // refusal the peer already read.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut refusals = 0;
    while refusals < wide.len() {
        match host.events.recv_deadline(deadline) {
            Ok(HostEvent::Refused { .. }) => refusals += 1,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert_eq!(refusals, wide.len(), "the host reports each refusal");
    host.run(move |h, _| h.grant(id, true)).unwrap();
    until_rights(&mut peer, |r| r.granted.contains(&id));
    for (kind, action) in wide {
        assert_eq!(outcome(&mut peer, action), Ok(()), "{kind} with the grant");
    }
    host.run(move |h, _| h.grant(id, false)).unwrap();
    until_rights(&mut peer, |r| r.granted.is_empty());
    assert!(outcome(&mut peer, Action::SetMasterMute { mute: false }).is_err(), "the grant taken back");
    settle(&host, &mut [&mut peer]);
    assert!(peer.replica == host.project());
}
