//! The IP options of a [`UdpSocket`]: `IP_TTL` (`ttl`, `set_ttl`), kept
//! and read back; the simulated network has no hops for it to count down.
//! `SO_BROADCAST` is in [`broadcast`](super::broadcast), with what it
//! changes.

use std::io;

use super::UdpSocket;

impl UdpSocket {
    /// Sets `IP_TTL`, kept and read back by [`ttl`](Self::ttl): tokio's
    /// `set_ttl`. The simulated network has no hops, so it changes
    /// nothing else.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for 0 or a value above 255, as Linux's setsockopt;
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let s = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// s.set_ttl(3).unwrap();
    /// assert_eq!(s.ttl().unwrap(), 3);
    /// let err = s.set_ttl(300).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// assert_eq!(s.ttl().unwrap(), 3); // unchanged
    /// # }).unwrap();
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        let ttl = crate::ttl::checked_ttl(ttl)?;
        self.with("detsim::net::UdpSocket::set_ttl", |s| {
            s.ttl = ttl;
            Ok(())
        })
    }

    /// `IP_TTL` as last set (64 on a new socket, Linux's default); see
    /// [`set_ttl`](Self::set_ttl).
    ///
    /// # Errors
    ///
    /// `ConnectionAborted` once the socket's node was killed.
    ///
    /// ```
    /// # let mut sim = detsim::Sim::builder().build();
    /// # sim.run(async {
    /// let s = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// assert_eq!(s.ttl().unwrap(), 64);
    /// # }).unwrap();
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.with("detsim::net::UdpSocket::ttl", |s| Ok(u32::from(s.ttl)))
    }
}
