//! Shared text for the model. A folder of policies repeats the same few
//! hundred labels (data types, purposes, recipients, topics, evidence ids)
//! hundreds of thousands of times; each is kept once, as an `Arc<str>` that
//! every flow naming it points to. Clause texts are `Arc<str>` too, so the
//! search index can point at them instead of copying them.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

/// A word-at-a-time hash (the Fx hash of rustc) for the short labels
/// looked up hundreds of thousands of times while loading; std's SipHash
/// showed up in load profiles. Labels come from the analysts' own models,
/// so hash flooding is not a concern here.
#[derive(Default, Clone, Copy)]
pub struct LabelHasher(u64);

impl LabelHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for LabelHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type LabelMap<K, V> = HashMap<K, V, BuildHasherDefault<LabelHasher>>;
type LabelSet<K> = HashSet<K, BuildHasherDefault<LabelHasher>>;

thread_local! {
    /// The labels seen by this thread's loads; emptied after each folder
    /// load so a long session does not keep labels no model uses.
    static INTERNED: RefCell<LabelSet<Arc<str>>> = RefCell::new(LabelSet::default());
}

thread_local! {
    static SCRATCH: RefCell<Vec<Arc<str>>> = const { RefCell::new(Vec::new()) };
}

/// The one shared copy of `text` on this thread.
pub fn intern(text: &str) -> Arc<str> {
    INTERNED.with(|set| {
        let mut set = set.borrow_mut();
        if let Some(shared) = set.get(text) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(text);
        set.insert(Arc::clone(&shared));
        shared
    })
}

/// Forgets this thread's interned labels (the model keeps its own copies).
pub fn forget_interned() {
    INTERNED.with(|set| *set.borrow_mut() = LabelSet::default());
}

struct Interned;

impl<'de> Visitor<'de> for Interned {
    type Value = Arc<str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Arc<str>, E> {
        Ok(intern(v))
    }
}

/// One interned string, as serde reads it inside an option or a list.
struct Label(Arc<str>);

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Label, D::Error> {
        d.deserialize_str(Interned).map(Label)
    }
}

/// An optional interned string:
/// `#[serde(deserialize_with = "shared::optional")]`.
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<str>>, D::Error> {
    Ok(Option::<Label>::deserialize(d)?.map(|label| label.0))
}

/// A list of interned strings, without spare capacity.
pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Arc<str>>, D::Error> {
    struct List;
    impl<'de> Visitor<'de> for List {
        type Value = Vec<Arc<str>>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of strings")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Arc<str>>, A::Error> {
            // Gathered in a reused buffer, then allocated once at the exact
            // size: shrinking a grown list would leave a small free
            // fragment behind each of the hundreds of thousands of lists.
            SCRATCH.with(|scratch| {
                let mut scratch = scratch.borrow_mut();
                scratch.clear();
                while let Some(Label(s)) = seq.next_element()? {
                    scratch.push(s);
                }
                Ok(scratch.drain(..).collect())
            })
        }
    }
    d.deserialize_seq(List)
}

/// A text of its own (clause texts are unique, so not interned), built
/// straight from the parser's buffer: going through a `String` first would
/// allocate and free a copy of every clause, which at a thousand policies
/// costs more in the allocator than the parse itself.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    struct Text;
    impl Visitor<'_> for Text {
        type Value = Arc<str>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Arc<str>, E> {
            Ok(Arc::from(v))
        }
    }
    d.deserialize_str(Text)
}
