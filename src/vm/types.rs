//! The built-in types as class objects, so that `type(x)`, `isinstance` and method lookup treat
//! built-in and user classes alike. Methods of built-in types are native functions stored in
//! these classes' attribute tables (see `methods/`).

use std::sync::{Arc, OnceLock};

use parking_lot::RwLock;
use rustc_hash::FxHashMap;

use super::errors::{EXCEPTION_TABLE, ExcKind};
use super::objects::{Class, TypeKind};
use super::value::Value;

/// Every built-in class an interpreter needs to hand out.
pub struct BuiltinTypes {
    pub object: Arc<Class>,
    pub type_: Arc<Class>,
    pub none: Arc<Class>,
    pub bool_: Arc<Class>,
    pub int: Arc<Class>,
    pub float: Arc<Class>,
    pub str_: Arc<Class>,
    pub bytes: Arc<Class>,
    pub list: Arc<Class>,
    pub tuple: Arc<Class>,
    pub dict: Arc<Class>,
    pub set: Arc<Class>,
    pub frozenset: Arc<Class>,
    pub range: Arc<Class>,
    pub slice: Arc<Class>,
    pub function: Arc<Class>,
    pub builtin_function: Arc<Class>,
    pub method: Arc<Class>,
    pub module: Arc<Class>,
    pub iterator: Arc<Class>,
    pub ellipsis: Arc<Class>,
    pub not_implemented: Arc<Class>,
    pub cell: Arc<Class>,
    pub code: Arc<Class>,
    pub property: Arc<Class>,
    pub staticmethod: Arc<Class>,
    pub classmethod: Arc<Class>,
    pub super_: Arc<Class>,
    /// Indexed by `ExcKind as usize`.
    pub exceptions: Vec<Arc<Class>>,
}

pub fn new_class(name: &str, module: &str, base: Option<Arc<Class>>, kind: TypeKind) -> Arc<Class> {
    Arc::new(Class {
        name: name.to_string(),
        qualname: name.to_string(),
        module: module.to_string(),
        base,
        attrs: RwLock::new(FxHashMap::default()),
        kind,
        plain_stores: Default::default(),
        key_hash: Default::default(),
        constructor: OnceLock::new(),
    })
}

impl BuiltinTypes {
    pub fn new() -> BuiltinTypes {
        let object = new_class("object", "builtins", None, TypeKind::Instance);
        let b = |name: &str| new_class(name, "builtins", Some(object.clone()), TypeKind::Builtin);
        let int = b("int");
        let mut exceptions: Vec<Arc<Class>> = Vec::with_capacity(EXCEPTION_TABLE.len());
        for (name, parent) in EXCEPTION_TABLE {
            let base = match parent {
                Some(p) => exceptions[*p as usize].clone(),
                None => object.clone(),
            };
            exceptions.push(new_class(name, "builtins", Some(base), TypeKind::Instance));
        }
        let types = BuiltinTypes {
            type_: b("type"),
            none: b("NoneType"),
            bool_: new_class("bool", "builtins", Some(int.clone()), TypeKind::Builtin),
            int,
            float: b("float"),
            str_: b("str"),
            bytes: b("bytes"),
            list: b("list"),
            tuple: b("tuple"),
            dict: b("dict"),
            set: b("set"),
            frozenset: b("frozenset"),
            range: b("range"),
            slice: b("slice"),
            function: b("function"),
            builtin_function: b("builtin_function_or_method"),
            method: b("method"),
            module: b("module"),
            iterator: b("iterator"),
            ellipsis: b("ellipsis"),
            not_implemented: b("NotImplementedType"),
            cell: b("cell"),
            code: b("code"),
            // Decorator results are plain instances holding the wrapped function(s).
            property: new_class(
                "property",
                "builtins",
                Some(object.clone()),
                TypeKind::Instance,
            ),
            staticmethod: new_class(
                "staticmethod",
                "builtins",
                Some(object.clone()),
                TypeKind::Instance,
            ),
            classmethod: new_class(
                "classmethod",
                "builtins",
                Some(object.clone()),
                TypeKind::Instance,
            ),
            super_: b("super"),
            object,
            exceptions,
        };
        super::methods::install(&types);
        types
    }

    pub fn exception(&self, kind: ExcKind) -> &Arc<Class> {
        &self.exceptions[kind as usize]
    }
}

impl Default for BuiltinTypes {
    fn default() -> Self {
        Self::new()
    }
}

impl BuiltinTypes {
    /// The class of `v`, borrowed (`type(v)`).
    pub fn of<'a>(&'a self, v: &'a Value) -> &'a Arc<Class> {
        match v {
            Value::Instance(i) => &i.class,
            Value::Object(o) => o.0.class(),
            Value::None | Value::Unbound => &self.none,
            Value::Ellipsis => &self.ellipsis,
            Value::NotImplemented => &self.not_implemented,
            Value::Bool(_) => &self.bool_,
            Value::Int(_) | Value::BigInt(_) => &self.int,
            Value::Float(_) => &self.float,
            Value::Str(_) => &self.str_,
            Value::Bytes(_) => &self.bytes,
            Value::List(_) => &self.list,
            Value::Tuple(_) => &self.tuple,
            Value::Dict(_) => &self.dict,
            Value::Set(s) if s.frozen => &self.frozenset,
            Value::Set(_) => &self.set,
            Value::Range(_) => &self.range,
            Value::Slice(_) => &self.slice,
            Value::Function(_) => &self.function,
            Value::Native(_) | Value::NativeMethod(_) => &self.builtin_function,
            Value::BoundMethod(_) => &self.method,
            Value::Class(_) => &self.type_,
            Value::Module(_) => &self.module,
            Value::Iter(_) => &self.iterator,
            Value::Cell(_) => &self.cell,
            Value::Code(_) => &self.code,
        }
    }
}
