//! What the `os` backend's processes say to each other over their sockets: length-prefixed
//! frames carrying requests to the broker (make a primitive, call a method of one) and its
//! replies, with values as [`wire`] payloads.
//!
//! A payload's bytes cross as they are; its handles (the primitives it refers to) cross as
//! numbers in the broker's registry plus their type's name, so the child can make a proxy of
//! the right class ([`super::remote`]) and the broker can find the object again
//! ([`super::broker`]).

use std::io::{self, Read, Write};

use super::ends::Side;
use super::os_threads::{StatesReport, ThreadsReport};
use super::wire::Payload;

/// A handle as it crosses: its number in the broker's registry and its type's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandleRef {
    pub id: u64,
    pub type_name: String,
}

/// A payload as it crosses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WirePayload {
    pub bytes: Vec<u8>,
    pub handles: Vec<HandleRef>,
}

/// A call's arguments as they cross: one payload per positional argument, then the keywords.
pub type CallArgs = (Vec<WirePayload>, Vec<(String, WirePayload)>);

/// What a child asks of the broker.
#[derive(Debug, PartialEq, Eq)]
pub enum Request {
    /// Make a primitive with `_multiprocessing.<ctor>(*args, **kwargs)`.
    New {
        ctor: String,
        args: Vec<WirePayload>,
        kwargs: Vec<(String, WirePayload)>,
    },
    /// Call `method(*args, **kwargs)` on the primitive with this number.
    Call {
        handle: u64,
        method: String,
        args: Vec<WirePayload>,
        kwargs: Vec<(String, WirePayload)>,
    },
    /// Process `pid` (a child OS process the asking process started) has ended: close its
    /// pipe handles.
    Ended { pid: u32 },
    /// This connection runs the calls of thread `thread` of process `pid` (sent first on it,
    /// when the run watches for deadlocks): the broker thread serving it stands for that
    /// thread ([`super::os_threads`]).
    Identify { pid: u32, thread: u64 },
    /// A child's threads, as its reporter sums them up for the top process's deadlock
    /// watchdog ([`super::os_threads`]).
    Threads(ThreadsReport),
    /// A notice for the run's reports (a child started or ended, or a child's event logs),
    /// in [`super::os_reports`]' encoding.
    Observe(Vec<u8>),
    /// A child's threads described for the top process's `--timeout` report, answering its
    /// question ([`super::os_threads`]).
    States(StatesReport),
    /// Process `pid` closes its handle of `side` of the pipe channel with this number: a
    /// `Connection` dropped without `close()` ([`super::pipe_handle`]).
    CloseEnd { handle: u64, side: Side, pid: u32 },
}

/// The broker's answer: the value returned, or the exception raised.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    Returned(WirePayload),
    Raised(WirePayload),
    /// A [`Request::Threads`] or [`Request::States`] was noted; the watchdog last asked for
    /// fresh reports with number `asked`, and for the threads' states with number `states`.
    Noted {
        asked: u64,
        states: u64,
    },
}

/// A frame longer than this is refused as corrupt rather than allocated.
const MAX_FRAME: u64 = 1 << 32;

/// Writes one frame: its length, then its bytes.
pub fn write_frame(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    w.write_all(&(bytes.len() as u64).to_le_bytes())?;
    w.write_all(bytes)?;
    w.flush()
}

/// Reads one frame; `None` at a clean end of stream (the other side closed).
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 8];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u64::from_le_bytes(len);
    if len > MAX_FRAME {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "frame too long"));
    }
    let mut bytes = vec![0u8; len as usize];
    r.read_exact(&mut bytes)?;
    Ok(Some(bytes))
}

/// Builds a message.
#[derive(Default)]
pub struct Encoder(pub Vec<u8>);

impl Encoder {
    pub fn u8(&mut self, b: u8) -> &mut Self {
        self.0.push(b);
        self
    }
    pub fn u64(&mut self, n: u64) -> &mut Self {
        self.0.extend_from_slice(&n.to_le_bytes());
        self
    }
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
        self
    }
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }
    pub fn payload(&mut self, p: &WirePayload) -> &mut Self {
        self.bytes(&p.bytes).u64(p.handles.len() as u64);
        for h in &p.handles {
            self.u64(h.id).str(&h.type_name);
        }
        self
    }
    fn call_args(&mut self, args: &[WirePayload], kwargs: &[(String, WirePayload)]) {
        self.u64(args.len() as u64);
        for a in args {
            self.payload(a);
        }
        self.u64(kwargs.len() as u64);
        for (k, v) in kwargs {
            self.str(k).payload(v);
        }
    }
}

/// Reads a message; every read checks what is left, so a corrupt message is an error.
pub struct Decoder<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn corrupt() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "corrupt message")
}

impl<'a> Decoder<'a> {
    pub fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder { bytes, at: 0 }
    }
    fn take(&mut self, n: u64) -> io::Result<&'a [u8]> {
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| self.at.checked_add(n))
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(corrupt)?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    pub fn u8(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    pub fn bytes(&mut self) -> io::Result<&'a [u8]> {
        let n = self.u64()?;
        self.take(n)
    }
    pub fn str(&mut self) -> io::Result<String> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| corrupt())
    }
    /// A count of items that each take at least a byte (so a corrupt count fails here).
    pub fn count(&mut self) -> io::Result<usize> {
        let n = self.u64()?;
        if n > (self.bytes.len() - self.at) as u64 {
            return Err(corrupt());
        }
        Ok(n as usize)
    }
    pub fn payload(&mut self) -> io::Result<WirePayload> {
        let bytes = self.bytes()?.to_vec();
        let n = self.count()?;
        let handles = (0..n)
            .map(|_| {
                Ok(HandleRef {
                    id: self.u64()?,
                    type_name: self.str()?,
                })
            })
            .collect::<io::Result<_>>()?;
        Ok(WirePayload { bytes, handles })
    }
    fn call_args(&mut self) -> io::Result<CallArgs> {
        let n = self.count()?;
        let args = (0..n).map(|_| self.payload()).collect::<io::Result<_>>()?;
        let n = self.count()?;
        let kwargs = (0..n)
            .map(|_| Ok((self.str()?, self.payload()?)))
            .collect::<io::Result<_>>()?;
        Ok((args, kwargs))
    }
    /// A process id.
    pub fn pid(&mut self) -> io::Result<u32> {
        u32::try_from(self.u64()?).map_err(|_| corrupt())
    }
    /// Checks the whole message was read.
    pub fn end(&self) -> io::Result<()> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(corrupt())
        }
    }
}

impl Request {
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::default();
        match self {
            Request::New { ctor, args, kwargs } => {
                e.u8(0).str(ctor).call_args(args, kwargs);
            }
            Request::Call {
                handle,
                method,
                args,
                kwargs,
            } => {
                e.u8(1).u64(*handle).str(method).call_args(args, kwargs);
            }
            Request::Ended { pid } => {
                e.u8(2).u64((*pid).into());
            }
            Request::Identify { pid, thread } => {
                e.u8(3).u64((*pid).into()).u64(*thread);
            }
            Request::Threads(report) => {
                e.u8(4);
                report.encode(&mut e);
            }
            Request::Observe(notice) => {
                e.u8(5).bytes(notice);
            }
            Request::CloseEnd { handle, side, pid } => {
                let side = match side {
                    Side::Read => 0,
                    Side::Write => 1,
                };
                e.u8(6).u64(*handle).u8(side).u64((*pid).into());
            }
            Request::States(report) => {
                e.u8(7);
                report.encode(&mut e);
            }
        }
        e.0
    }

    pub fn decode(bytes: &[u8]) -> io::Result<Request> {
        let mut d = Decoder::new(bytes);
        let r = match d.u8()? {
            0 => {
                let ctor = d.str()?;
                let (args, kwargs) = d.call_args()?;
                Request::New { ctor, args, kwargs }
            }
            1 => {
                let handle = d.u64()?;
                let method = d.str()?;
                let (args, kwargs) = d.call_args()?;
                Request::Call {
                    handle,
                    method,
                    args,
                    kwargs,
                }
            }
            2 => Request::Ended {
                pid: u32::try_from(d.u64()?).map_err(|_| corrupt())?,
            },
            3 => Request::Identify {
                pid: d.pid()?,
                thread: d.u64()?,
            },
            4 => Request::Threads(ThreadsReport::decode(&mut d)?),
            5 => Request::Observe(d.bytes()?.to_vec()),
            6 => Request::CloseEnd {
                handle: d.u64()?,
                side: match d.u8()? {
                    0 => Side::Read,
                    1 => Side::Write,
                    _ => return Err(corrupt()),
                },
                pid: d.pid()?,
            },
            7 => Request::States(StatesReport::decode(&mut d)?),
            _ => return Err(corrupt()),
        };
        d.end()?;
        Ok(r)
    }
}

impl Reply {
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::default();
        match self {
            Reply::Returned(p) => e.u8(0).payload(p),
            Reply::Raised(p) => e.u8(1).payload(p),
            Reply::Noted { asked, states } => e.u8(2).u64(*asked).u64(*states),
        };
        e.0
    }

    pub fn decode(bytes: &[u8]) -> io::Result<Reply> {
        let mut d = Decoder::new(bytes);
        let r = match d.u8()? {
            0 => Reply::Returned(d.payload()?),
            1 => Reply::Raised(d.payload()?),
            2 => Reply::Noted {
                asked: d.u64()?,
                states: d.u64()?,
            },
            _ => return Err(corrupt()),
        };
        d.end()?;
        Ok(r)
    }
}

/// A payload's bytes with its handles turned by `export` into what crosses.
pub fn export(
    p: Payload,
    mut export: impl FnMut(&crate::vm::Value) -> Result<HandleRef, String>,
) -> Result<WirePayload, String> {
    let handles = p
        .handles
        .iter()
        .map(&mut export)
        .collect::<Result<_, _>>()?;
    Ok(WirePayload {
        bytes: p.bytes,
        handles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(b: &[u8], ids: &[u64]) -> WirePayload {
        WirePayload {
            bytes: b.to_vec(),
            handles: ids
                .iter()
                .map(|&id| HandleRef {
                    id,
                    type_name: "Channel".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn requests_and_replies_round_trip() {
        let requests = [
            Request::New {
                ctor: "SemLock".into(),
                args: vec![payload(b"ab", &[]), payload(b"", &[3, 4])],
                kwargs: vec![("maxsize".into(), payload(b"x", &[]))],
            },
            Request::Call {
                handle: 7,
                method: "put".into(),
                args: vec![payload(b"obj", &[9])],
                kwargs: vec![],
            },
            Request::Ended { pid: 4321 },
            Request::CloseEnd {
                handle: 5,
                side: Side::Write,
                pid: 4321,
            },
            Request::CloseEnd {
                handle: 6,
                side: Side::Read,
                pid: 1,
            },
        ];
        for r in requests {
            assert_eq!(Request::decode(&r.encode()).unwrap(), r);
        }
        for r in [
            Reply::Returned(payload(b"v", &[1])),
            Reply::Raised(payload(b"e", &[])),
        ] {
            assert_eq!(Reply::decode(&r.encode()).unwrap(), r);
        }
    }

    #[test]
    fn corrupt_messages_are_errors_not_panics() {
        let good = Request::Call {
            handle: 1,
            method: "get".into(),
            args: vec![payload(b"xyz", &[2])],
            kwargs: vec![],
        }
        .encode();
        for cut in 0..good.len() {
            assert!(Request::decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = good.clone();
        long.push(0);
        assert!(Request::decode(&long).is_err());
        let mut huge = vec![1u8];
        huge.extend_from_slice(&1u64.to_le_bytes());
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        assert!(Request::decode(&huge).is_err());
    }

    #[test]
    fn observe_requests_round_trip() {
        let r = Request::Observe(b"notice".to_vec());
        assert_eq!(Request::decode(&r.encode()).unwrap(), r);
    }

    #[test]
    fn frames_round_trip_and_end_cleanly() {
        let mut buf = vec![];
        write_frame(&mut buf, b"hello").unwrap();
        write_frame(&mut buf, b"").unwrap();
        let mut r = &buf[..];
        assert_eq!(read_frame(&mut r).unwrap().unwrap(), b"hello");
        assert_eq!(read_frame(&mut r).unwrap().unwrap(), b"");
        assert!(read_frame(&mut r).unwrap().is_none());
    }
}
