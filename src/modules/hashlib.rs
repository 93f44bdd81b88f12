//! The `hashlib` module: MD5 and the SHA-2 family as incremental hash objects.
//!
//! Models CPython's `_hashlib.HASH`: `hashlib.sha256(b"")` (or `hashlib.new("sha256", data)`)
//! returns an object with `update`, `digest`, `hexdigest`, `copy` and the attributes `name`,
//! `digest_size` and `block_size`. Only bytes are hashed; a `str` raises CPython's
//! `TypeError: Strings must be encoded before hashing`. Each hash object guards its state with
//! its own mutex, so threads may share one. SHA-1 is not available (no SHA-1 crate is a
//! dependency).
//!
//! All hashing goes through [`digest_update`]: CPython releases the GIL while hashing inputs of
//! 2048 bytes or more (`HASHLIB_GIL_MINSIZE`), and that function is where gilsim will do the same.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use md5::Md5;
use parking_lot::Mutex;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use super::{func, method_args, native_class, receiver};
use crate::observe::Release;
use crate::vm::objects::{Args, Class, Module, NativeObject};
use crate::vm::{PyErr, PyResult, Value, Vm};

/// Inputs at least this long are hashed with the GIL released in CPython (`HASHLIB_GIL_MINSIZE`).
pub const GIL_RELEASE_MIN_SIZE: usize = 2048;

/// The constructors, by algorithm name.
const ALGORITHMS: &[&str] = &["md5", "sha224", "sha256", "sha384", "sha512"];

/// Fills the `hashlib` module.
pub fn init(_vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    func(m, "md5", md5_new);
    func(m, "sha224", sha224_new);
    func(m, "sha256", sha256_new);
    func(m, "sha384", sha384_new);
    func(m, "sha512", sha512_new);
    func(m, "new", new);
    let names: Vec<Value> = ALGORITHMS.iter().map(|&a| Value::str(a)).collect();
    m.set("algorithms_guaranteed", Value::tuple(names.clone()));
    m.set("algorithms_available", Value::tuple(names));
    Ok(())
}

/// The running state of one hash computation.
#[derive(Clone)]
enum HashState {
    Md5(Md5),
    Sha224(Sha224),
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl HashState {
    fn new(name: &str) -> Option<HashState> {
        Some(match name {
            "md5" => HashState::Md5(Md5::new()),
            "sha224" => HashState::Sha224(Sha224::new()),
            "sha256" => HashState::Sha256(Sha256::new()),
            "sha384" => HashState::Sha384(Sha384::new()),
            "sha512" => HashState::Sha512(Sha512::new()),
            _ => return None,
        })
    }

    fn name(&self) -> &'static str {
        match self {
            HashState::Md5(_) => "md5",
            HashState::Sha224(_) => "sha224",
            HashState::Sha256(_) => "sha256",
            HashState::Sha384(_) => "sha384",
            HashState::Sha512(_) => "sha512",
        }
    }

    fn digest_size(&self) -> usize {
        match self {
            HashState::Md5(_) => 16,
            HashState::Sha224(_) => 28,
            HashState::Sha256(_) => 32,
            HashState::Sha384(_) => 48,
            HashState::Sha512(_) => 64,
        }
    }

    fn block_size(&self) -> usize {
        match self {
            HashState::Md5(_) | HashState::Sha224(_) | HashState::Sha256(_) => 64,
            HashState::Sha384(_) | HashState::Sha512(_) => 128,
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            HashState::Md5(h) => h.update(data),
            HashState::Sha224(h) => h.update(data),
            HashState::Sha256(h) => h.update(data),
            HashState::Sha384(h) => h.update(data),
            HashState::Sha512(h) => h.update(data),
        }
    }

    /// The digest of everything hashed so far; the state itself is left as it is.
    fn digest(&self) -> Vec<u8> {
        match self.clone() {
            HashState::Md5(h) => h.finalize().to_vec(),
            HashState::Sha224(h) => h.finalize().to_vec(),
            HashState::Sha256(h) => h.finalize().to_vec(),
            HashState::Sha384(h) => h.finalize().to_vec(),
            HashState::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// A hash object (`_hashlib.HASH`).
pub struct HashObject {
    /// The algorithm never changes, so its facts are kept outside the lock.
    name: &'static str,
    digest_size: usize,
    block_size: usize,
    state: Mutex<HashState>,
}

const CLASS_NAME: &str = "HASH";

impl HashObject {
    fn new(state: HashState) -> HashObject {
        HashObject {
            name: state.name(),
            digest_size: state.digest_size(),
            block_size: state.block_size(),
            state: Mutex::new(state),
        }
    }
}

impl NativeObject for HashObject {
    fn class(&self) -> &Arc<Class> {
        static CLASS: OnceLock<Arc<Class>> = OnceLock::new();
        CLASS.get_or_init(|| {
            native_class(
                CLASS_NAME,
                "_hashlib",
                &[
                    ("update", update),
                    ("digest", digest),
                    ("hexdigest", hexdigest),
                    ("copy", copy),
                ],
            )
        })
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        match name {
            "name" => Some(Value::str(self.name)),
            "digest_size" => Some(Value::Int(self.digest_size as i64)),
            "block_size" => Some(Value::Int(self.block_size as i64)),
            _ => None,
        }
    }
    fn repr(&self) -> Option<String> {
        Some(format!("<{} _hashlib.HASH object @ {:p}>", self.name, self))
    }
}

/// Feeds `data` to a hash object's state. Every byte hashed passes through here: this is the
/// point where, for inputs of [`GIL_RELEASE_MIN_SIZE`] bytes or more, the GIL is to be released
/// around the computation, as CPython does.
///
/// When the GIL is released here, the state lock must be taken *after* releasing it (CPython's
/// `ENTER_HASHLIB` waits for a contended object lock with the GIL released): a thread that holds
/// the GIL while waiting for this lock would deadlock with the hashing thread waiting to get the
/// GIL back.
fn digest_update(vm: &mut Vm, state: &Mutex<HashState>, data: &[u8]) {
    if data.len() >= GIL_RELEASE_MIN_SIZE {
        vm.allow_threads(Release::Native("hashlib.update"), || {
            state.lock().update(data)
        });
    } else {
        state.lock().update(data);
    }
}

/// The data argument: bytes only, with CPython's errors.
fn data_arg(v: &Value) -> PyResult<&[u8]> {
    match v {
        Value::Bytes(b) => Ok(&b.0),
        Value::Str(_) => Err(PyErr::type_error("Strings must be encoded before hashing")),
        _ => Err(PyErr::type_error(
            "object supporting the buffer API required",
        )),
    }
}

/// A new hash object for `name`, fed the optional initial data; `usedforsecurity` is accepted
/// and ignored.
fn construct(vm: &mut Vm, name: &str, data: Option<&Value>) -> PyResult<Value> {
    // The data is checked before the name, as CPython does.
    let data = data.map(data_arg).transpose()?;
    let state = HashState::new(name)
        .ok_or_else(|| PyErr::value_error(format!("unsupported hash type {name}")))?;
    let obj = HashObject::new(state);
    if let Some(d) = data {
        digest_update(vm, &obj.state, d);
    }
    Ok(Value::object(obj))
}

/// The initial data of a constructor call: positional or `string=` (CPython 3.11's
/// `openssl_sha256(string=b'', *, usedforsecurity=True)`; `data=` arrived in 3.12).
fn initial_data<'a>(args: &Args<'a>, fname: &str) -> PyResult<Option<&'a Value>> {
    if let Some((k, _)) = args
        .kw
        .iter()
        .find(|(k, _)| !matches!(&**k, "string" | "usedforsecurity"))
    {
        return Err(PyErr::type_error(format!(
            "'{k}' is an invalid keyword argument for openssl_{fname}()"
        )));
    }
    args.check(fname, 0, 1, &["string", "usedforsecurity"])?;
    Ok(args.pos.first().or_else(|| args.kw("string")))
}

macro_rules! constructor {
    ($($fname:ident => $alg:literal;)*) => {
        $(
            fn $fname(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
                let data = initial_data(&args, $alg)?;
                construct(vm, $alg, data)
            }
        )*
    };
}

constructor! {
    md5_new => "md5";
    sha224_new => "sha224";
    sha256_new => "sha256";
    sha384_new => "sha384";
    sha512_new => "sha512";
}

/// `hashlib.new(name, data=b"")`; names are case-insensitive, as with OpenSSL.
fn new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("new", 0, 2, &["name", "data", "string", "usedforsecurity"])?;
    let name = args
        .get(0, "name")
        .ok_or_else(|| PyErr::type_error("new() missing required argument 'name' (pos 1)"))?;
    let name = name
        .as_str()
        .ok_or_else(|| PyErr::type_error("name must be a string"))?;
    let data = args.get(1, "data").or_else(|| args.kw("string"));
    construct(vm, &name.to_ascii_lowercase(), data)
}

fn update(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let this = receiver::<HashObject>(&args, CLASS_NAME, "update")?;
    let rest = method_args(&args);
    rest.check("update", 1, 1, &[])?;
    digest_update(vm, &this.state, data_arg(&rest.pos[0])?);
    Ok(Value::None)
}

fn digest(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let this = receiver::<HashObject>(&args, CLASS_NAME, "digest")?;
    method_args(&args).check("digest", 0, 0, &[])?;
    Ok(Value::bytes(this.state.lock().digest()))
}

fn hexdigest(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let this = receiver::<HashObject>(&args, CLASS_NAME, "hexdigest")?;
    method_args(&args).check("hexdigest", 0, 0, &[])?;
    let bytes = this.state.lock().digest();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Value::str(hex))
}

/// `copy()`: an independent hash object with the same state.
fn copy(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let this = receiver::<HashObject>(&args, CLASS_NAME, "copy")?;
    method_args(&args).check("copy", 0, 0, &[])?;
    let state = this.state.lock().clone();
    Ok(Value::object(HashObject::new(state)))
}
