//! Accepted connections with a write deadline, written here because hyper and axum have none: a
//! page that stops reading is closed after `--write-timeout-ms` without any progress, and logged,
//! instead of holding what it was sent (tokio-io-timeout's streams are not `Unpin` and say
//! nothing about whom they closed).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Sleep;

/// The listening socket of `serve`: every connection it accepts is a [`Conn`].
pub(super) struct Listener {
    inner: TcpListener,
    write_timeout: Duration,
}

impl Listener {
    pub(super) fn new(inner: TcpListener, write_timeout: Duration) -> Listener {
        Listener {
            inner,
            write_timeout,
        }
    }
}

impl axum::serve::Listener for Listener {
    type Io = Conn;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Conn, SocketAddr) {
        loop {
            match self.inner.accept().await {
                Ok((io, peer)) => {
                    let _ = io.set_nodelay(true);
                    return (Conn::new(io, peer, self.write_timeout), peer);
                }
                // A peer that went away before it was accepted: nothing to do.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionRefused
                            | io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                    ) => {}
                // Out of file descriptors (or memory): wait for connections to close.
                Err(e) => {
                    eprintln!("harvest serve: cannot accept a connection: {e}; retrying in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// The address of the page at the other end (axum's `ConnectInfo` for [`Listener`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, Listener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, Listener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

/// A TCP connection whose writes fail with `TimedOut` once the peer has taken nothing for
/// `limit` (the deadline restarts at every byte it takes).
pub(super) struct Conn {
    io: TcpStream,
    peer: SocketAddr,
    limit: Duration,
    /// Armed while a write is waiting for the peer.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl Conn {
    fn new(io: TcpStream, peer: SocketAddr, limit: Duration) -> Conn {
        Conn {
            io,
            peer,
            limit,
            stalled: None,
        }
    }

    /// Passes a write's outcome on; a write that has waited `limit` becomes the error.
    fn watch<T>(&mut self, cx: &mut Context<'_>, r: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if !r.is_pending() {
            self.stalled = None;
            return r;
        }
        let limit = self.limit;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        if sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.stalled = None;
        eprintln!(
            "harvest serve: closed the connection of {}: it took nothing for {:.1} s \
             (--write-timeout-ms; a page that stops reading is dropped, not buffered)",
            self.peer,
            limit.as_secs_f64()
        );
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "write timeout: the peer took nothing for {:.1} s",
                limit.as_secs_f64()
            ),
        )))
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        self.watch(cx, r)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.watch(cx, r)
    }

    /// Vectored, as the socket is: hyper then queues a shared snapshot by reference instead
    /// of copying it into each connection's buffer.
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = Pin::new(&mut self.io).poll_flush(cx);
        self.watch(cx, r)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
