//! Rule identities: [`Code`], one variant per rule, generated from the registry by
//! [`declare_registry!`](crate::declare_registry) (ruff's `Rule`, oxc's `RuleEnum`), and
//! [`RuleSet`], a set of rules as bits with no ceiling on the number of rules.
//!
//! The code (`SL102`) and name (`container-runtime-socket`) of a variant are read from its
//! rule's metadata: they are written once, in the rule's `declare_rule!`.

use std::fmt;

use crate::engine::RuleMeta;
pub use crate::rules::Code;

impl Code {
    /// The rule's metadata.
    #[must_use]
    pub fn meta(self) -> &'static RuleMeta {
        crate::rules::RULES[self.index()].meta()
    }

    /// `SL102`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        self.meta().code
    }

    /// `container-runtime-socket`.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.meta().name
    }

    /// The rule's position in the registry (sorted by code): dense, from 0 to
    /// [`Code::COUNT`].
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }

    /// The rule at `index` in the registry.
    #[must_use]
    pub fn from_index(index: usize) -> Option<Code> {
        Code::ALL.get(index).copied()
    }

    /// The rule with this code (`SL102`, `sl102`).
    #[must_use]
    pub fn from_code(code: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(code))
    }

    /// The rule with this code or name (`SL102`, `container-runtime-socket`), case-insensitively:
    /// how configurations, suppressions and `explain` name one rule.
    #[must_use]
    pub fn find(code_or_name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| {
            c.as_str().eq_ignore_ascii_case(code_or_name)
                || c.name().eq_ignore_ascii_case(code_or_name)
        })
    }
}

/// A string that names no rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRule(pub String);

impl fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` names no rule", self.0)
    }
}

impl std::error::Error for UnknownRule {}

/// A code or a name, case-insensitively ([`Code::find`]).
impl std::str::FromStr for Code {
    type Err = UnknownRule;
    fn from_str(s: &str) -> Result<Code, UnknownRule> {
        Code::find(s).ok_or_else(|| UnknownRule(s.to_string()))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// As the code: findings in test failures read `SL102`, not a variant name.
impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.as_str()
    }
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Words of a [`RuleSet`]: enough for every rule of the registry.
const WORDS: usize = Code::COUNT.div_ceil(64);

/// A set of rules, one bit per rule by registry index: a run keeps one per file and asks it
/// for every rule and finding, so a few words rather than a hash set. Sized from the registry:
/// no ceiling on the number of rules.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RuleSet(Bits<WORDS>);

impl RuleSet {
    #[must_use]
    pub fn all() -> RuleSet {
        Code::ALL.iter().copied().collect()
    }

    pub fn insert(&mut self, code: Code) {
        self.0.insert(code.index());
    }

    pub fn remove(&mut self, code: Code) {
        self.0.remove(code.index());
    }

    #[must_use]
    pub fn contains(&self, code: Code) -> bool {
        self.0.contains(code.index())
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.len() == 0
    }

    /// The rules in registry order (sorted by code).
    pub fn iter(&self) -> impl Iterator<Item = Code> + '_ {
        self.0.indices().filter_map(Code::from_index)
    }
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl FromIterator<Code> for RuleSet {
    fn from_iter<I: IntoIterator<Item = Code>>(iter: I) -> RuleSet {
        let mut set = RuleSet::default();
        set.extend(iter);
        set
    }
}

impl Extend<Code> for RuleSet {
    fn extend<I: IntoIterator<Item = Code>>(&mut self, iter: I) {
        for code in iter {
            self.insert(code);
        }
    }
}

/// Bits by index, `W` words of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Bits<const W: usize>([u64; W]);

impl<const W: usize> Default for Bits<W> {
    fn default() -> Self {
        Bits([0; W])
    }
}

impl<const W: usize> Bits<W> {
    fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn remove(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }

    fn contains(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..W * 64).filter(|&i| self.contains(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_their_rules_say() {
        let c = Code::find("container-runtime-socket");
        assert_eq!(c, Some(Code::ContainerRuntimeSocket));
        let c = Code::ContainerRuntimeSocket;
        assert_eq!(
            (c.as_str(), c.name()),
            ("SL102", "container-runtime-socket")
        );
        assert_eq!(c.to_string(), "SL102");
        assert_eq!(format!("{c:?}"), "SL102");
        assert_eq!(format!("[{c:<6}]"), "[SL102 ]");
        assert_eq!(c, "SL102");
        assert_eq!("SL102", c);
        assert_ne!(c, "SL101");
        assert_eq!("sl102".parse::<Code>(), Ok(c));
        assert_eq!(
            "SL999".parse::<Code>(),
            Err(UnknownRule("SL999".to_string()))
        );
        assert_eq!(Code::from_code("container-runtime-socket"), None);
        assert_eq!(serde_json::to_string(&c).ok().as_deref(), Some("\"SL102\""));
    }

    #[test]
    fn indices_are_dense_and_follow_the_registry() {
        for (i, rule) in crate::rules::RULES.iter().enumerate() {
            let code = Code::from_index(i).expect("a code per rule");
            assert_eq!(code.index(), i);
            assert_eq!(rule.meta().id, code);
            assert!(std::ptr::eq(code.meta(), rule.meta()));
        }
        assert_eq!(Code::from_index(Code::COUNT), None);
        assert_eq!(Code::COUNT, crate::rules::RULES.len());
    }

    #[test]
    fn a_rule_set_holds_every_rule() {
        let mut set = RuleSet::default();
        assert!(set.is_empty());
        for (i, &code) in Code::ALL.iter().enumerate() {
            assert!(!set.contains(code));
            set.insert(code);
            assert!(set.contains(code));
            assert_eq!(set.len(), i + 1);
        }
        assert_eq!(set, RuleSet::all());
        assert_eq!(set.iter().collect::<Vec<_>>(), Code::ALL);
        set.remove(Code::ContainerRuntimeSocket);
        assert!(!set.contains(Code::ContainerRuntimeSocket));
        assert_eq!(set.len(), Code::COUNT - 1);
    }

    #[test]
    fn bits_past_the_first_word_are_kept_apart() {
        let mut bits = Bits::<3>::default();
        for i in [0, 63, 64, 70, 127, 128, 191] {
            assert!(!bits.contains(i));
            bits.insert(i);
            assert!(bits.contains(i), "{i}");
        }
        assert!(!bits.contains(6) && !bits.contains(65) && !bits.contains(192));
        assert_eq!(
            bits.indices().collect::<Vec<_>>(),
            [0, 63, 64, 70, 127, 128, 191]
        );
        bits.remove(70);
        assert!(!bits.contains(70) && bits.contains(64));
        assert_eq!(bits.len(), 6);
    }
}
