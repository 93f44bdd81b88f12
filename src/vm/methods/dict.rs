//! `dict` methods and the `keys()`/`values()`/`items()` views.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use super::add_methods;
use crate::vm::Vm;
use crate::vm::errors::{ExcKind, PyErr, PyResult};
use crate::vm::iter::make_iter;
use crate::vm::objects::*;
use crate::vm::value::Value;

pub fn install(dict: &Arc<Class>) {
    add_methods(
        dict,
        &[
            ("get", get),
            ("setdefault", setdefault),
            ("pop", pop),
            ("popitem", popitem),
            ("update", update),
            ("keys", keys),
            ("values", values),
            ("items", items),
            ("copy", copy),
            ("clear", clear),
            ("fromkeys", fromkeys),
        ],
    );
}

fn this<'a>(args: &Args<'a>, name: &str) -> PyResult<&'a Arc<PyDict>> {
    match args.pos.first() {
        Some(Value::Dict(d)) => Ok(d),
        _ => Err(PyErr::type_error(format!(
            "descriptor '{name}' requires a 'dict' object"
        ))),
    }
}

/// `dict.fromkeys(iterable, value=None)`, called through the class as tutorials do (like
/// `str.maketrans`, it takes no receiver, so `{}.fromkeys(...)` is not supported).
fn fromkeys(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("fromkeys", 1, 2, &[])?;
    let value = args.pos.get(1).cloned().unwrap_or(Value::None);
    let d = PyDict::new();
    for k in vm.iterate(&args.pos[0])? {
        d.insert(k, value.clone())?;
    }
    Ok(Value::Dict(Arc::new(d)))
}

fn get(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("get", 2, 3, &[])?;
    let d = this(&args, "get")?;
    let k = &args.pos[1];
    HashKey::check(k)?;
    Ok(d.0
        .lock()
        .get_value(k)
        .cloned()
        .unwrap_or_else(|| args.pos.get(2).cloned().unwrap_or(Value::None)))
}

fn setdefault(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("setdefault", 2, 3, &[])?;
    let d = this(&args, "setdefault")?;
    let k = HashKey::new(args.pos[1].clone())?;
    let default = args.pos.get(2).cloned().unwrap_or(Value::None);
    let mut map = d.0.lock();
    if let Some(v) = map.get(&k) {
        return Ok(v.clone());
    }
    map.insert(k, default.clone());
    Ok(default)
}

fn pop(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("pop", 2, 3, &[])?;
    let d = this(&args, "pop")?;
    let k = HashKey::new(args.pos[1].clone())?;
    let removed = d.0.lock().remove(&k);
    match (removed, args.pos.get(2)) {
        (Some(v), _) => Ok(v),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(PyErr::with_args(
            ExcKind::KeyError,
            vec![args.pos[1].clone()],
        )),
    }
}

fn popitem(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let d = this(&args, "popitem")?;
    match d.0.lock().pop() {
        Some((k, v)) => Ok(Value::tuple(vec![k.0, v])),
        None => Err(PyErr::new(
            ExcKind::KeyError,
            "popitem(): dictionary is empty",
        )),
    }
}

fn update(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    if args.pos.len() > 2 {
        return Err(PyErr::type_error(format!(
            "update expected at most 1 argument, got {}",
            args.pos.len() - 1
        )));
    }
    let d = this(&args, "update")?.clone();
    if let Some(src) = args.pos.get(1) {
        crate::vm::builtins::dict_merge(vm, &d, src)?;
    }
    for (k, v) in args.kw {
        d.insert(Value::str(&**k), v.clone())?;
    }
    Ok(Value::None)
}

fn copy(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let d = this(&args, "copy")?;
    Ok(Value::Dict(Arc::new(PyDict::from_map(d.0.lock().clone()))))
}

fn clear(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    this(&args, "clear")?.0.lock().clear();
    Ok(Value::None)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ViewKind {
    Keys,
    Values,
    Items,
}

/// A live view of a dict (`d.keys()` and friends): it reflects later changes to the dict.
struct DictView {
    dict: Arc<PyDict>,
    kind: ViewKind,
}

static VIEW_CLASSES: OnceLock<[Arc<Class>; 3]> = OnceLock::new();

fn view_classes() -> &'static [Arc<Class>; 3] {
    VIEW_CLASSES.get_or_init(|| {
        let make = |name: &str| {
            let c = crate::vm::types::new_class(name, "builtins", None, TypeKind::Builtin);
            add_methods(
                &c,
                &[
                    ("__iter__", view_iter),
                    ("__len__", view_len),
                    ("__contains__", view_contains),
                ],
            );
            c
        };
        [make("dict_keys"), make("dict_values"), make("dict_items")]
    })
}

impl DictView {
    fn values(&self) -> Vec<Value> {
        let d = self.dict.0.lock();
        match self.kind {
            ViewKind::Keys => d.keys().map(|k| k.0.clone()).collect(),
            ViewKind::Values => d.values().cloned().collect(),
            ViewKind::Items => d
                .iter()
                .map(|(k, v)| Value::tuple(vec![k.0.clone(), v.clone()]))
                .collect(),
        }
    }
}

impl NativeObject for DictView {
    fn class(&self) -> &Arc<Class> {
        &view_classes()[self.kind as usize]
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn view(args: &Args<'_>, kind: ViewKind) -> PyResult<Value> {
    let d = this(args, "keys")?;
    Ok(Value::object(DictView {
        dict: d.clone(),
        kind,
    }))
}

fn keys(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    view(&args, ViewKind::Keys)
}

fn values(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    view(&args, ViewKind::Values)
}

fn items(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    view(&args, ViewKind::Items)
}

fn view_of<'a>(args: &Args<'a>) -> PyResult<&'a DictView> {
    args.pos
        .first()
        .and_then(|v| v.downcast::<DictView>())
        .ok_or_else(|| PyErr::type_error("expected a dict view"))
}

fn view_iter(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(make_iter(IterState::Items {
        items: view_of(&args)?.values(),
        index: 0,
    }))
}

fn view_len(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Int(view_of(&args)?.dict.0.lock().len() as i64))
}

fn view_contains(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let v = view_of(&args)?;
    let x = args.pos.get(1).cloned().unwrap_or(Value::None);
    if v.kind == ViewKind::Keys {
        return Ok(Value::Bool(v.dict.0.lock().contains_key(&HashKey::new(x)?)));
    }
    for item in v.values() {
        if vm.eq(&item, &x)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

/// The repr of a dict view, e.g. `dict_keys(['a', 'b'])`.
pub fn view_repr(vm: &mut Vm, v: &Value) -> Option<PyResult<String>> {
    let view = v.downcast::<DictView>()?;
    let name = &view_classes()[view.kind as usize].name;
    Some(
        vm.repr(&Value::list(view.values()))
            .map(|r| format!("{name}({r})")),
    )
}

/// The elements of a keys or items view as a set, for comparisons with sets (`d.keys() == {...}`).
pub fn view_as_set(v: &Value) -> Option<SetMap> {
    let view = v.downcast::<DictView>()?;
    if view.kind == ViewKind::Values {
        return None;
    }
    Some(view.values().into_iter().map(HashKey).collect())
}
