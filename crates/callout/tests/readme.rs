//! `docs/callout.md` held to the code: every GUID it shows is the one in
//! `connsec_callout::keys`, and every step name it quotes is a real plan step.

use connsec_callout::Layer;
use connsec_callout::keys;
use connsec_callout::plan::{STEPS, TEARDOWN, Undo};
use connsec_nt::Guid;

/// `docs/callout.md`, the whole file.
fn doc() -> Option<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/callout.md");
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            println!("skipped: {path} cannot be read ({e})");
            return None;
        }
    };
    assert!(
        text.starts_with("# The WFP callout"),
        "docs/callout.md starts with its '# The WFP callout' heading"
    );
    Some(text)
}

/// Every `{XXXXXXXX-…}` GUID in `text`.
fn guids_in(text: &str) -> Vec<Guid> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let candidate = rest.get(start..start + 38).unwrap_or("");
        if let Ok(g) = Guid::parse(candidate) {
            out.push(g);
        }
        rest = &rest[start + 1..];
    }
    out
}

#[test]
fn the_doc_shows_exactly_the_keys_of_the_code() {
    let Some(text) = doc() else { return };
    let shown = guids_in(&text);
    let mut expected: Vec<Guid> = keys::OWN.iter().map(|(_, g)| *g).collect();
    expected.extend(Layer::ALL.iter().map(|l| l.layer_key()));
    for g in &expected {
        assert!(shown.contains(g), "docs/callout.md does not show {g}");
    }
    for g in &shown {
        assert!(
            expected.contains(g),
            "docs/callout.md shows {g}, which the code does not use"
        );
    }
    // The table pairs each key with its object.
    for (name, key) in keys::OWN {
        let row = text
            .lines()
            .find(|l| l.contains(&key.to_string()))
            .unwrap_or_else(|| panic!("no line shows the {name} key"));
        assert!(row.starts_with(&format!("| {name} |")), "{name}: {row}");
    }
}

#[test]
fn the_step_names_the_doc_quotes_are_real() {
    let Some(text) = doc() else { return };
    let mut names: Vec<&str> = STEPS.iter().map(|s| s.name()).collect();
    let undos = [
        Undo::AbortTransaction,
        Undo::CloseSession,
        Undo::UnregisterCallout(Layer::AleAuthConnectV4),
        Undo::UnregisterCallout(Layer::AleAuthConnectV6),
    ];
    names.extend(undos.iter().map(|u| u.name()));
    assert!(TEARDOWN.iter().all(|u| undos.contains(u)));
    // Quoted snake_case words that look like step names (`register_…`, `open_…`, `add_…`, …).
    let prefixes = [
        "register_",
        "open_",
        "begin_",
        "add_",
        "commit_",
        "abort_",
        "close_",
        "unregister_",
    ];
    let mut quoted = 0;
    for piece in text.split('`').skip(1).step_by(2) {
        if prefixes.iter().any(|p| piece.starts_with(p)) && !piece.contains('(') {
            quoted += 1;
            assert!(
                names.contains(&piece),
                "the doc quotes `{piece}`, which is no step name"
            );
        }
    }
    assert!(quoted >= 4, "the doc should name the steps events carry");
    // Every function the plan calls is named in the doc.
    for step in STEPS {
        assert!(
            text.contains(step.function()),
            "the doc does not mention {}",
            step.function()
        );
    }
}
