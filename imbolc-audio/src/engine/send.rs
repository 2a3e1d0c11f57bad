//! Delivering a batch: one bundle, split only when it exceeds a UDP
//! datagram. Edits never come near the limit (one to a few messages); a
//! whole scene can (about 88 bytes per node), and then order matters more
//! than atomicity, since nothing of it is sounding yet.

use crate::backend::{AudioBackend, BackendError, ScBackend, ServerOp, Timing};

/// Executes `ops` as one bundle, halving batches that exceed a datagram;
/// returns the datagrams sent. A split batch keeps its timing (both halves
/// run at the same time, in order: scsynth keeps equal timetags in
/// arrival order).
pub(super) fn send_split(backend: &mut ScBackend, timing: Timing, ops: &[ServerOp]) -> Result<usize, BackendError> {
    match backend.execute(timing, ops) {
        Err(BackendError::TooLarge { .. }) if ops.len() > 1 => {
            let (a, b) = ops.split_at(ops.len() / 2);
            Ok(send_split(backend, timing, a)? + send_split(backend, timing, b)?)
        }
        Err(e) => Err(e),
        Ok(()) => Ok(usize::from(!ops.is_empty())),
    }
}

#[cfg(test)]
mod tests {
    use std::net::UdpSocket;

    use super::*;
    use crate::backend::NodeId;

    #[test]
    fn oversized_batches_are_split_in_order_and_small_ones_are_one_bundle() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        client.connect(server.local_addr().unwrap()).unwrap();
        let mut backend = ScBackend::new(client);
        let ops: Vec<ServerOp> =
            (0..3000).map(|i| ServerOp::Set { node: NodeId(i), controls: vec![("level", 0.5)] }).collect();
        send_split(&mut backend, Timing::Now, &ops).unwrap();
        send_split(&mut backend, Timing::Now, &ops[..2]).unwrap();
        let mut buf = vec![0u8; 70_000];
        let mut seen = Vec::new();
        let mut datagrams = 0;
        while seen.len() < 3002 {
            let n = server.recv(&mut buf).unwrap();
            datagrams += 1;
            for m in crate::server::osc::decode(&buf[..n]).unwrap() {
                seen.push(crate::server::osc::int_arg(&m, 0).unwrap());
            }
        }
        assert!(datagrams > 2, "3000 ops do not fit one datagram");
        let expected: Vec<i64> = (0..3000).chain(0..2).collect();
        assert_eq!(seen, expected, "order is kept across the split");
    }
}
