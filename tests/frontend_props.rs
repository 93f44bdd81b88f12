//! Property tests of the front end: no input makes the lexer or parser panic, every error
//! has a position, and number literals round-trip to the value they spell.

use gilsim::syntax::ast::{Constant, ExprKind, StmtKind};
use gilsim::syntax::{SyntaxError, parse};
use proptest::prelude::*;

/// Tokens and fragments of Python, to build plausible (mostly invalid) programs from.
const SOUP: &[&str] = &[
    "x",
    "y",
    "f",
    "match",
    "_",
    "1",
    "0x1F",
    "2.5e3",
    "'s'",
    "b'b'",
    "f'{x}'",
    "f'{x:{y}}'",
    "'''t'''",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ";",
    ".",
    "...",
    "=",
    ":=",
    "+",
    "-",
    "*",
    "**",
    "/",
    "//",
    "%",
    "@",
    "|",
    "^",
    "&",
    "~",
    "<<",
    ">>",
    "<",
    ">",
    "==",
    "!=",
    "->",
    "+=",
    "if",
    "elif",
    "else",
    "for",
    "in",
    "while",
    "def",
    "class",
    "return",
    "lambda",
    "not",
    "and",
    "or",
    "is",
    "try",
    "except",
    "finally",
    "with",
    "as",
    "import",
    "from",
    "del",
    "pass",
    "yield",
    "await",
    "global",
    "\n",
    "\n    ",
    "\n  ",
    "\n\t",
    " ",
    "\\\n",
    "#c\n",
];

fn check_error(source: &str, err: &SyntaxError) -> Result<(), TestCaseError> {
    let lines = source.split(['\n', '\r']).count() as u32;
    prop_assert!(
        err.line >= 1 && err.line <= lines + 1,
        "line {} of {} lines: {:?}",
        err.line,
        lines,
        err
    );
    prop_assert!(err.col >= 1, "column {}: {:?}", err.col, err);
    prop_assert!(!err.msg.is_empty());
    Ok(())
}

/// The value of the source `x = <literal>`.
fn literal_value(literal: &str) -> Option<Constant> {
    let module = parse(&format!("x = {literal}\n")).ok()?;
    match &module.body.first()?.kind {
        StmtKind::Assign { value, .. } => match &value.kind {
            ExprKind::Constant(c) => Some(c.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn int_constant(n: u128) -> Constant {
    match i64::try_from(n) {
        Ok(v) => Constant::Int(v),
        Err(_) => Constant::BigInt(n.to_string()),
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let source = String::from_utf8_lossy(&bytes);
        if let Err(err) = parse(&source) {
            check_error(&source, &err)?;
        }
    }

    #[test]
    fn arbitrary_text_never_panics(source in "\\PC{0,120}") {
        if let Err(err) = parse(&source) {
            check_error(&source, &err)?;
        }
    }

    #[test]
    fn token_soup_never_panics(picks in proptest::collection::vec(0..SOUP.len(), 0..80)) {
        let source: String = picks.iter().map(|&i| SOUP[i]).collect::<Vec<_>>().join(" ");
        if let Err(err) = parse(&source) {
            check_error(&source, &err)?;
        }
    }

    #[test]
    fn integer_literals_round_trip(n in any::<u128>()) {
        let expected = int_constant(n);
        for literal in [format!("{n}"), format!("0x{n:x}"), format!("0O{n:o}"), format!("0b{n:b}")] {
            prop_assert_eq!(literal_value(&literal), Some(expected.clone()), "{}", literal);
        }
        // Underscores between digits do not change the value.
        let digits = n.to_string();
        let spaced: String = digits.chars().enumerate()
            .flat_map(|(i, c)| if i > 0 && (digits.len() - i) % 3 == 0 { vec!['_', c] } else { vec![c] })
            .collect();
        prop_assert_eq!(literal_value(&spaced), Some(expected), "{}", spaced);
    }

    #[test]
    fn float_literals_round_trip(v in any::<f64>().prop_filter("finite and not negative", |v| v.is_finite() && v.is_sign_positive())) {
        for literal in [format!("{v:?}"), format!("{v:e}"), format!("{v:E}")] {
            let Some(Constant::Float(parsed)) = literal_value(&literal) else {
                return Err(TestCaseError::fail(format!("{literal} is not a float literal")));
            };
            prop_assert_eq!(parsed.to_bits(), v.to_bits(), "{}", literal);
        }
    }
}
