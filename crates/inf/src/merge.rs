//! What one registry key holds after a sequence of operations: the blocks of a `.reg` import
//! (regedit applies them in file order, later values win, `"Name"=-` and `[-key]` delete) or the
//! `DelReg`/`AddReg` lines of an INF install (with `FLG_ADDREG_NOCLOBBER`, `…_OVERWRITEONLY`,
//! `…_APPEND` and `…_DELVAL`, whose effect depends on what the key already holds).
//!
//! [`apply`] runs the operations twice: over a key that does not exist yet (a fresh install, or
//! an import onto a machine without the key), which gives the planned values, and over a key
//! whose values are unknown (an upgrade, or an import over an earlier configuration). Every value
//! whose result differs between the two is reported as an [`UpgradeNote`]: that is where the
//! result depends on what is already in the registry.
//!
//! Time and memory are linear in the number of operations (values are looked up by their
//! lower-cased name in a hash map).

use std::collections::HashMap;

use crate::{RegType, RegValue, decode_multi_sz, multi_sz_bytes};

/// What an operation does to the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// The key (or one of its parents) is deleted: every value goes.
    ClearKey,
    /// The value is written, replacing any earlier one.
    Set,
    /// The value is deleted.
    Delete,
    /// `FLG_ADDREG_NOCLOBBER`: written only if no value of that name exists.
    NoClobber,
    /// `FLG_ADDREG_OVERWRITEONLY`: written only if a value of that name exists.
    OverwriteOnly,
    /// `FLG_ADDREG_APPEND`: the `REG_MULTI_SZ` strings are appended to an existing list, each
    /// only if the list does not hold it already (compared ignoring ASCII case).
    Append,
    /// `FLG_DELREG_MULTI_SZ_DELSTRING`: the strings are removed from a `REG_MULTI_SZ` list
    /// (compared ignoring ASCII case).
    RemoveStrings,
}

/// One operation on the key; `value.name` is ignored for [`OpKind::ClearKey`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOp {
    /// What the operation does.
    pub kind: OpKind,
    /// The value it concerns (name, type, bytes and the line it came from).
    pub value: RegValue,
}

/// A value whose result depends on what the key held before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeNote {
    /// The value name.
    pub name: String,
    /// The line of the operation that makes it depend on the key, if any.
    pub line: Option<usize>,
    /// What happens to the value over an existing key.
    pub text: String,
}

/// The key after the operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyState {
    /// The values over a key that did not exist before, in the order they were first written.
    pub values: Vec<RegValue>,
    /// Whether the operations delete the key before writing it: then nothing that was there
    /// before survives, and there are no upgrade notes.
    pub cleared: bool,
    /// Values deleted (and not written again afterwards): name and line of the deletion.
    pub deleted: Vec<(String, usize)>,
    /// Where the result over an existing key differs from `values`.
    pub upgrade: Vec<UpgradeNote>,
}

/// One value's state over a key whose earlier values are unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Slot {
    /// Known: present with these bytes, or absent.
    Known(Option<RegValue>),
    /// Unknown: depends on the key; why, and the line that made it so.
    Depends(Option<usize>, String),
}

fn same_string(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// `old` with each string of `add` appended unless present already.
fn appended(old: &[String], add: &[String]) -> Vec<String> {
    let mut out: Vec<String> = old.to_vec();
    for s in add {
        if !out.iter().any(|o| same_string(o, s)) {
            out.push(s.clone());
        }
    }
    out
}

fn multi(v: &RegValue) -> Option<Vec<String>> {
    (v.kind == RegType::MULTI_SZ)
        .then(|| decode_multi_sz(&v.data))
        .flatten()
}

fn with_strings(template: &RegValue, strings: &[String]) -> RegValue {
    RegValue {
        kind: RegType::MULTI_SZ,
        data: multi_sz_bytes(strings.iter().map(String::as_str)),
        ..template.clone()
    }
}

/// The known result of `op` on a known slot.
fn step_known(old: Option<&RegValue>, op: &KeyOp) -> Option<RegValue> {
    let v = &op.value;
    match op.kind {
        OpKind::ClearKey | OpKind::Delete => None,
        OpKind::Set => Some(v.clone()),
        OpKind::NoClobber => Some(old.cloned().unwrap_or_else(|| v.clone())),
        OpKind::OverwriteOnly => old.map(|_| v.clone()),
        OpKind::Append => {
            let add = multi(v).unwrap_or_default();
            match old {
                None => Some(with_strings(v, &appended(&[], &add))),
                // Appending to a value that is not a string list: SetupAPI replaces it.
                Some(o) => Some(match multi(o) {
                    Some(list) => with_strings(v, &appended(&list, &add)),
                    None => with_strings(v, &appended(&[], &add)),
                }),
            }
        }
        OpKind::RemoveStrings => {
            let remove = multi(v).unwrap_or_default();
            old.map(|o| match multi(o) {
                Some(list) => {
                    let kept: Vec<String> = list
                        .into_iter()
                        .filter(|s| !remove.iter().any(|r| same_string(r, s)))
                        .collect();
                    with_strings(o, &kept)
                }
                None => o.clone(),
            })
        }
    }
}

/// The result of `op` on an unknown slot.
fn step_unknown(op: &KeyOp) -> Slot {
    let line = Some(op.value.line);
    match op.kind {
        OpKind::ClearKey | OpKind::Delete => Slot::Known(None),
        OpKind::Set => Slot::Known(Some(op.value.clone())),
        OpKind::NoClobber => Slot::Depends(
            line,
            "FLG_ADDREG_NOCLOBBER keeps a value the key already has; this line's value is written only where there is none".to_owned(),
        ),
        OpKind::OverwriteOnly => Slot::Depends(
            line,
            "FLG_ADDREG_OVERWRITEONLY writes this line's value only if the key already has one; otherwise there is none".to_owned(),
        ),
        OpKind::Append => Slot::Depends(
            line,
            "FLG_ADDREG_APPEND adds these strings to the list the key already has, keeping every entry already there".to_owned(),
        ),
        OpKind::RemoveStrings => Slot::Depends(
            line,
            "FLG_DELREG_MULTI_SZ_DELSTRING removes these strings from the list the key already has; the rest stays".to_owned(),
        ),
    }
}

/// What the key holds after `ops`, and where that depends on the key's earlier values.
/// `watched` names values to report even when no operation mentions them (a value the
/// operations never touch keeps whatever the key held).
#[must_use]
pub fn apply(ops: &[KeyOp], watched: &[&str]) -> KeyState {
    // Over a missing key: name (lower-cased) -> index into `fresh`.
    let mut fresh: Vec<(String, Option<RegValue>)> = Vec::new();
    let mut upgrade: Vec<Slot> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut deleted_at: Vec<Option<usize>> = Vec::new();
    let mut cleared = false;
    for op in ops {
        if op.kind == OpKind::ClearKey {
            cleared = true;
            for (i, (_, v)) in fresh.iter_mut().enumerate() {
                *v = None;
                if let Some(s) = upgrade.get_mut(i) {
                    *s = Slot::Known(None);
                }
                if let Some(d) = deleted_at.get_mut(i) {
                    *d = None;
                }
            }
            continue;
        }
        let key = op.value.name.to_lowercase();
        let i = *index.entry(key).or_insert_with(|| {
            fresh.push((op.value.name.clone(), None));
            upgrade.push(if cleared {
                Slot::Known(None)
            } else {
                Slot::Depends(None, String::new())
            });
            deleted_at.push(None);
            fresh.len() - 1
        });
        if let Some((_, v)) = fresh.get_mut(i) {
            *v = step_known(v.as_ref(), op);
        }
        if let Some(s) = upgrade.get_mut(i) {
            *s = match s {
                Slot::Known(old) => Slot::Known(step_known(old.as_ref(), op)),
                Slot::Depends(..) => step_unknown(op),
            };
        }
        if let Some(d) = deleted_at.get_mut(i) {
            *d = match op.kind {
                OpKind::Delete => Some(op.value.line),
                _ if fresh.get(i).is_some_and(|(_, v)| v.is_some()) => None,
                _ => *d,
            };
        }
    }
    let mut notes = Vec::new();
    for ((name, value), slot) in fresh.iter().zip(&upgrade) {
        match slot {
            Slot::Known(v) if v == value => {}
            Slot::Known(_) => notes.push(UpgradeNote {
                name: name.clone(),
                line: None,
                text: "differs over an existing key".to_owned(),
            }),
            Slot::Depends(line, why) => notes.push(UpgradeNote {
                name: name.clone(),
                line: *line,
                text: if why.is_empty() {
                    "keeps the value the key already has, if any (the file never writes or deletes it)".to_owned()
                } else {
                    why.clone()
                },
            }),
        }
    }
    if !cleared {
        for w in watched {
            if !index.contains_key(&w.to_lowercase()) {
                notes.push(UpgradeNote {
                    name: (*w).to_owned(),
                    line: None,
                    text: "keeps the value the key already has, if any (the file neither writes nor deletes it)".to_owned(),
                });
            }
        }
    }
    let deleted = fresh
        .iter()
        .zip(&deleted_at)
        .filter_map(|((name, _), d)| d.map(|line| (name.clone(), line)))
        .collect();
    KeyState {
        values: fresh.into_iter().filter_map(|(_, v)| v).collect(),
        cleared,
        deleted,
        upgrade: notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{dword_bytes, sz_bytes};

    fn op(kind: OpKind, name: &str, data: Vec<u8>, t: RegType, line: usize) -> KeyOp {
        KeyOp {
            kind,
            value: RegValue {
                name: name.to_owned(),
                kind: t,
                data,
                line,
            },
        }
    }

    #[test]
    fn later_values_win_and_deletions_apply() {
        let ops = [
            op(OpKind::Set, "A", dword_bytes(1), RegType::DWORD, 1),
            op(OpKind::Set, "b", sz_bytes("x"), RegType::SZ, 2),
            op(OpKind::Set, "a", dword_bytes(2), RegType::DWORD, 3),
            op(OpKind::Delete, "B", Vec::new(), RegType::NONE, 4),
        ];
        let s = apply(&ops, &["C"]);
        assert_eq!(s.values.len(), 1);
        assert_eq!(
            (s.values[0].line, &s.values[0].data[..]),
            (3, &[2, 0, 0, 0][..])
        );
        assert_eq!(s.deleted, [("b".to_owned(), 4)]);
        assert_eq!(s.upgrade.len(), 1);
        assert_eq!(s.upgrade[0].name, "C");
    }

    #[test]
    fn a_cleared_key_has_no_upgrade_notes() {
        let ops = [
            op(OpKind::Set, "Old", dword_bytes(1), RegType::DWORD, 1),
            op(OpKind::ClearKey, "", Vec::new(), RegType::NONE, 2),
            op(OpKind::Set, "A", dword_bytes(1), RegType::DWORD, 3),
        ];
        let s = apply(&ops, &["C"]);
        assert!(s.cleared);
        assert_eq!(s.values.len(), 1);
        assert!(s.upgrade.is_empty(), "{:?}", s.upgrade);
    }

    #[test]
    fn flags_depend_on_the_existing_key() {
        let list = multi_sz_bytes(["SY:GA", "sy:ga", "BA:GA"]);
        let ops = [
            op(OpKind::NoClobber, "N", dword_bytes(1), RegType::DWORD, 1),
            op(
                OpKind::OverwriteOnly,
                "O",
                dword_bytes(1),
                RegType::DWORD,
                2,
            ),
            op(OpKind::Append, "P", list, RegType::MULTI_SZ, 3),
        ];
        let s = apply(&ops, &[]);
        let names: Vec<&str> = s.values.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["N", "P"]);
        assert_eq!(
            decode_multi_sz(&s.values[1].data).unwrap(),
            ["SY:GA", "BA:GA"]
        );
        let lines: Vec<Option<usize>> = s.upgrade.iter().map(|n| n.line).collect();
        assert_eq!(lines, [Some(1), Some(2), Some(3)]);
    }
}
