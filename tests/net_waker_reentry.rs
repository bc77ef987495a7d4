//! A waker is user code: its destructor may use the network (a waker that
//! owns the last handle to a socket, or logs netstat when dropped). The
//! network never drops one inside its own borrow, whichever operation
//! replaces or discards it: a replaced read, write or connect waker, a
//! connection or listener freed with wakers still stored, an accept or
//! receive future dropped while it waits.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use detsim::net::{Network, TcpListener, TcpStream, UdpSocket};
use detsim::{Sim, time};
use futures::io::{AsyncRead, AsyncWrite};

/// Counts destructors that used the network.
static USED: AtomicUsize = AtomicUsize::new(0);

/// A waker whose destructor reads and changes the network.
struct UsesNetOnDrop;

impl Wake for UsesNetOnDrop {
    fn wake(self: Arc<Self>) {}
}

impl Drop for UsesNetOnDrop {
    fn drop(&mut self) {
        let net = Network::current();
        let _ = net.stats();
        net.heal_all();
        USED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Registers a fresh [`UsesNetOnDrop`] waker with one poll of `poll`
/// (which must be pending), leaving the network the only holder.
fn park<T>(poll: impl FnOnce(&mut Context<'_>) -> Poll<T>) {
    let waker = Waker::from(Arc::new(UsesNetOnDrop));
    assert!(poll(&mut Context::from_waker(&waker)).is_pending());
}

fn noop() -> Context<'static> {
    Context::from_waker(Waker::noop())
}

async fn pair(port: u16) -> (TcpListener, TcpStream, TcpStream) {
    let l = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let a = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (b, _) = l.accept().await.unwrap();
    (l, a, b)
}

fn run(f: impl Future<Output = ()> + 'static) {
    let before = USED.load(Ordering::Relaxed);
    Sim::builder().build().run(f).unwrap();
    assert!(
        USED.load(Ordering::Relaxed) > before,
        "the waker's destructor ran"
    );
}

#[test]
fn a_replaced_read_waker_is_dropped_outside_the_network() {
    run(async {
        let (_l, mut a, _b) = pair(7).await;
        let mut buf = [0u8; 4];
        park(|cx| Pin::new(&mut a).poll_read(cx, &mut buf));
        // The next poll (another task's waker) replaces it.
        assert!(
            Pin::new(&mut a)
                .poll_read(&mut noop(), &mut buf)
                .is_pending()
        );
    });
}

#[test]
fn a_replaced_write_waker_is_dropped_outside_the_network() {
    run(async {
        let (_l, mut a, _b) = pair(7).await;
        // Fill the peer's window and the send buffer: the writer waits.
        let chunk = vec![0u8; 64 * 1024];
        while Pin::new(&mut a).poll_write(&mut noop(), &chunk).is_ready() {}
        park(|cx| Pin::new(&mut a).poll_write(cx, &chunk));
        assert!(
            Pin::new(&mut a)
                .poll_write(&mut noop(), &chunk)
                .is_pending()
        );
    });
}

#[test]
fn a_replaced_connect_waker_is_dropped_outside_the_network() {
    run(async {
        let _l = TcpListener::bind("0.0.0.0:7").await.unwrap();
        let server = detsim::node::Node::builder("server").build();
        server.spawn(async {
            let l = TcpListener::bind("0.0.0.0:7").await.unwrap();
            let _keep = l.accept().await;
        });
        time::sleep(std::time::Duration::from_millis(1)).await;
        let mut connect = pin!(TcpStream::connect("server:7"));
        park(|cx| connect.as_mut().poll(cx));
        assert!(connect.as_mut().poll(&mut noop()).is_pending());
    });
}

#[test]
fn a_stream_freed_with_a_stored_waker_drops_it_outside_the_network() {
    run(async {
        let (_l, mut a, b) = pair(7).await;
        let mut buf = [0u8; 4];
        park(|cx| Pin::new(&mut a).poll_read(cx, &mut buf));
        // Both ends closed, `a` first (nothing wakes its own reader): the
        // connection is freed with the waker still in it.
        drop(a);
        drop(b);
    });
}

#[test]
fn a_listener_freed_with_a_waiting_accept_drops_its_waker_outside_the_network() {
    run(async {
        let l = TcpListener::bind("127.0.0.1:7").await.unwrap();
        park(|cx| l.poll_accept(cx));
        drop(l);
    });
}

#[test]
fn an_accept_dropped_while_waiting_drops_its_waker_outside_the_network() {
    run(async {
        let l = TcpListener::bind("127.0.0.1:7").await.unwrap();
        {
            let mut accept = pin!(l.accept());
            park(|cx| accept.as_mut().poll(cx));
        }
        // The listener still works.
        let c = detsim::spawn(async { TcpStream::connect("127.0.0.1:7").await.unwrap() });
        l.accept().await.unwrap();
        c.await.unwrap();
    });
}

#[test]
fn a_recv_dropped_while_waiting_drops_its_waker_outside_the_network() {
    run(async {
        let u = UdpSocket::bind("127.0.0.1:9").await.unwrap();
        let mut buf = [0u8; 4];
        {
            let mut recv = pin!(u.recv_from(&mut buf));
            park(|cx| recv.as_mut().poll(cx));
        }
        u.send_to(b"hi", "127.0.0.1:9").await.unwrap();
        let (n, _) = u.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"hi");
    });
}
