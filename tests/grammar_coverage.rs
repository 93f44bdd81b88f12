//! The grammar in `grammar/gilsim.ebnf` is authoritative, and the parser implements it rule by
//! rule. This test keeps the two and the test corpus honest: every rule of the grammar must be
//! entered while parsing at least one script of `tests/corpus/**` or `examples/`, and every
//! rule the parser records must exist in the grammar.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use gilsim::syntax::lexer;
use gilsim::syntax::parser::Parser;

/// The names defined by `name ::= ...` lines of an EBNF text, outside `(* ... *)` comments.
fn grammar_rules(text: &str) -> BTreeSet<String> {
    let mut stripped = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("(*") {
        stripped.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*)")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    stripped.push_str(rest);
    stripped
        .lines()
        .filter(|line| !line.starts_with(char::is_whitespace))
        .filter_map(|line| line.split_once("::="))
        .map(|(name, _)| name.trim().to_string())
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect()
}

/// All `.py` files under `dir`, recursively when `recursive`.
fn python_files(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if recursive {
                python_files(&path, recursive, out);
            }
        } else if path.extension().is_some_and(|ext| ext == "py") {
            out.push(path);
        }
    }
}

#[test]
fn every_grammar_rule_is_used_by_a_script() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let grammar = fs::read_to_string(root.join("grammar/gilsim.ebnf"))
        .expect("grammar/gilsim.ebnf is readable");
    let rules = grammar_rules(&grammar);
    assert!(
        rules.len() > 50,
        "only {} rules found in the grammar",
        rules.len()
    );

    let mut files = Vec::new();
    python_files(&root.join("tests/corpus"), true, &mut files);
    python_files(&root.join("examples"), false, &mut files);
    files.sort();

    let mut used: BTreeSet<&'static str> = BTreeSet::new();
    let mut parsed = 0;
    for file in &files {
        let Ok(source) = fs::read_to_string(file) else {
            continue;
        };
        let Ok(tokens) = lexer::tokenize(&source) else {
            continue;
        };
        let mut parser = Parser::with_rule_trace(&source, tokens);
        if parser.parse_module().is_ok() {
            parsed += 1;
            used.extend(parser.rules_used());
        }
    }

    let unknown: Vec<&str> = used
        .iter()
        .copied()
        .filter(|rule| !rules.contains(*rule))
        .collect();
    assert!(
        unknown.is_empty(),
        "the parser records rules that grammar/gilsim.ebnf does not define: {unknown:?}"
    );
    let unused: Vec<&str> = rules
        .iter()
        .map(String::as_str)
        .filter(|rule| !used.contains(rule))
        .collect();
    assert!(
        unused.is_empty(),
        "grammar rules not used by any of the {parsed} parsable scripts: {unused:?}\n\
         (add a script exercising each as tests/corpus/grammar/grammar_<rule>.py)"
    );
}

#[test]
fn rule_names_are_extracted_from_definitions_only() {
    let text = "(* header\n   rule ::= ... in a comment *)\nfile ::= a\n  | b\nsum ::= term (* a comment *)\n";
    let rules: Vec<String> = grammar_rules(text).into_iter().collect();
    assert_eq!(rules, ["file", "sum"]);
}
