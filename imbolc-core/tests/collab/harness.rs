//! A host on its own thread, clients with their replicas, a counting
//! proxy, a seeded random generator.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, bounded, unbounded};
use imbolc_core::collab::{Client, ClientEvent, Host, HostEvent, JoinCode, Limits, Resume};
use imbolc_types::{Action, ClipId, Project, SourceKind};

pub const LOCAL: &str = "127.0.0.1:0";

/// Limits with a rate limit no test of convergence reaches.
pub fn roomy() -> Limits {
    Limits { actions_per_sec: 1_000_000, action_burst: 1_000_000, ..Limits::default() }
}

/// A project with one saw instrument and a clip of it (clip 1 if fresh).
pub fn base_project() -> (Project, ClipId) {
    let mut p = Project::new("together");
    imbolc_core::dispatch(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() }).unwrap();
    let inst = *p.instruments.keys().next().unwrap();
    imbolc_core::dispatch(&mut p, Action::AddClip { instrument: inst, name: "a".into(), length: 3840 }).unwrap();
    let clip = *p.clips.keys().next().unwrap();
    (p, clip)
}

type Job = Box<dyn FnOnce(&mut Host, &mut Project) + Send>;

/// A host pumping on its own thread; `run` executes code there.
pub struct HostThread {
    pub addr: SocketAddr,
    pub code: JoinCode,
    jobs: Sender<Job>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    pub events: crossbeam_channel::Receiver<HostEvent>,
}

impl HostThread {
    pub fn start(project: Project, limits: Limits) -> HostThread {
        let code = JoinCode::random().unwrap();
        let mut host = Host::bind(LOCAL, code.clone(), limits).unwrap();
        let addr = host.addr();
        let (jobs, job_rx) = unbounded::<Job>();
        let (ev_tx, events) = unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut project = project;
            while !stop2.load(Ordering::SeqCst) {
                for e in host.pump(&mut project, Duration::from_millis(1)) {
                    let _ = ev_tx.send(e);
                }
                while let Ok(job) = job_rx.try_recv() {
                    job(&mut host, &mut project);
                }
            }
        });
        HostThread { addr, code, jobs, stop, thread: Some(thread), events }
    }

    pub fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Host, &mut Project) -> T + Send + 'static) -> T {
        let (tx, rx) = bounded(1);
        self.jobs
            .send(Box::new(move |h, p| {
                let _ = tx.send(f(h, p));
            }))
            .unwrap();
        rx.recv_timeout(Duration::from_secs(60)).unwrap()
    }

    /// Queues `f` on the host thread without waiting for it.
    pub fn run_later(&self, f: impl FnOnce(&mut Host, &mut Project) + Send + 'static) {
        self.jobs.send(Box::new(f)).unwrap();
    }

    pub fn project(&self) -> Project {
        self.run(|_, p| p.clone())
    }

    pub fn seq(&self) -> u64 {
        self.run(|h, _| h.seq())
    }
}

impl Drop for HostThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A client and its replica.
pub struct Peer {
    pub client: Client,
    pub replica: Project,
    pub events: Vec<ClientEvent>,
}

impl Peer {
    pub fn join(addr: SocketAddr, code: &JoinCode, limits: &Limits) -> Peer {
        Peer::rejoin(addr, code, limits, None, Project::default())
    }

    pub fn rejoin(
        addr: SocketAddr,
        code: &JoinCode,
        limits: &Limits,
        resume: Option<Resume>,
        replica: Project,
    ) -> Peer {
        let client = Client::connect(addr, code, "peer", resume, limits).unwrap();
        let mut peer = Peer { client, replica, events: Vec::new() };
        peer.until(Duration::from_secs(20), |p| p.client.is_ready());
        peer
    }

    pub fn pump(&mut self, wait: Duration) -> Vec<ClientEvent> {
        let ev = self.client.pump(&mut self.replica, wait);
        self.events.extend(ev.iter().cloned());
        ev
    }

    /// Pumps until `cond` holds; panics after `limit`.
    pub fn until(&mut self, limit: Duration, cond: impl Fn(&Peer) -> bool) {
        let start = Instant::now();
        while !cond(self) {
            assert!(
                start.elapsed() < limit,
                "peer not there after {limit:?}; seq {}, sent {}, last events: {:?}",
                self.client.seq(),
                self.client.acts_sent(),
                &self.events[self.events.len().saturating_sub(3)..]
            );
            self.pump(Duration::from_millis(5));
        }
    }
}

/// A TCP relay on 127.0.0.1 counting the bytes each way; `sever` cuts
/// every connection at once, as a killed host would.
pub struct Proxy {
    pub addr: SocketAddr,
    pub up: Arc<AtomicU64>,
    pub down: Arc<AtomicU64>,
    streams: Arc<std::sync::Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    pub fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind(LOCAL).unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicU64::new(0));
        let down = Arc::new(AtomicU64::new(0));
        let streams = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (u, d, s) = (Arc::clone(&up), Arc::clone(&down), Arc::clone(&streams));
        std::thread::spawn(move || {
            for c in listener.incoming() {
                let Ok(c) = c else { return };
                let Ok(h) = TcpStream::connect(target) else { return };
                let _ = c.set_nodelay(true);
                let _ = h.set_nodelay(true);
                s.lock().unwrap().extend([c.try_clone().unwrap(), h.try_clone().unwrap()]);
                relay(c.try_clone().unwrap(), h.try_clone().unwrap(), Arc::clone(&u));
                relay(h, c, Arc::clone(&d));
            }
        });
        Proxy { addr, up, down, streams }
    }

    pub fn total(&self) -> u64 {
        self.up.load(Ordering::SeqCst) + self.down.load(Ordering::SeqCst)
    }

    pub fn sever(&self) {
        for s in self.streams.lock().unwrap().iter() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

fn relay(mut from: TcpStream, mut to: TcpStream, count: Arc<AtomicU64>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    count.fetch_add(n as u64, Ordering::SeqCst);
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// xorshift64*: reproducible random actions from a seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The p-quantile of `v` (sorted here).
pub fn quantile(v: &mut [Duration], q: f64) -> Duration {
    v.sort();
    if v.is_empty() {
        return Duration::ZERO;
    }
    let i = ((v.len() as f64 - 1.0) * q).round() as usize;
    v[i]
}
