//! Shared text for the model. A folder of policies repeats the same few
//! hundred labels (data types, purposes, recipients, topics, evidence ids)
//! hundreds of thousands of times; each is kept once, as an `Arc<str>` that
//! every flow naming it points to. Clause texts are `Arc<str>` too, so the
//! search index can point at them instead of copying them.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

thread_local! {
    /// The labels seen by this thread's loads; emptied after each folder
    /// load so a long session does not keep labels no model uses.
    static INTERNED: RefCell<HashSet<Arc<str>>> = RefCell::new(HashSet::new());
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
    INTERNED.with(|set| *set.borrow_mut() = HashSet::new());
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

/// One interned string: `#[serde(deserialize_with = "shared::one")]`.
pub fn one<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    d.deserialize_str(Interned)
}

/// An optional interned string.
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<str>>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "one")] Arc<str>);
    Ok(Option::<Wrapped>::deserialize(d)?.map(|w| w.0))
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
            #[derive(Deserialize)]
            struct Wrapped(#[serde(deserialize_with = "one")] Arc<str>);
            // Gathered in a reused buffer, then allocated once at the exact
            // size: shrinking a grown list would leave a small free
            // fragment behind each of the hundreds of thousands of lists.
            SCRATCH.with(|scratch| {
                let mut scratch = scratch.borrow_mut();
                scratch.clear();
                while let Some(Wrapped(s)) = seq.next_element()? {
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
