//! The searchable items, stored compactly: every id in one arena, policies
//! interned, texts shared with the corpus (`Arc<str>`: a clause's text is
//! the model's own, not a copy). At a thousand policies there are some
//! 300,000 items; three `String`s apiece would cost more memory than the
//! texts themselves.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Kind, SearchItem};

/// A list of items to index, filled by [`Items::push`] (or collected from
/// [`SearchItem`]s).
#[derive(Debug, Default, Clone)]
pub struct Items {
    kinds: Vec<Kind>,
    policy_of: Vec<u32>,
    policies: Vec<Box<str>>,
    policy_ids: HashMap<Box<str>, u32>,
    ids: String,
    id_ends: Vec<u32>,
    texts: Vec<Arc<str>>,
}

/// One item, borrowed from its [`Items`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemRef<'a> {
    pub kind: Kind,
    pub policy: &'a str,
    pub id: &'a str,
    pub text: &'a str,
}

impl ItemRef<'_> {
    pub fn to_item(self) -> SearchItem {
        SearchItem {
            kind: self.kind,
            policy: self.policy.to_string(),
            id: self.id.to_string(),
            text: self.text.to_string(),
        }
    }
}

fn offset(len: usize) -> u32 {
    u32::try_from(len).expect("search texts stay under 4 GiB")
}

impl Items {
    pub fn new() -> Items {
        Items::default()
    }

    pub fn push(&mut self, kind: Kind, policy: &str, id: &str, text: impl Into<Arc<str>>) {
        let p = match self.policy_ids.get(policy) {
            Some(&p) => p,
            None => {
                let p = offset(self.policies.len());
                self.policies.push(policy.into());
                self.policy_ids.insert(policy.into(), p);
                p
            }
        };
        self.kinds.push(kind);
        self.policy_of.push(p);
        self.ids.push_str(id);
        self.id_ends.push(offset(self.ids.len()));
        self.texts.push(text.into());
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    fn span(ends: &[u32], i: usize) -> std::ops::Range<usize> {
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        start..ends[i] as usize
    }

    pub fn get(&self, i: usize) -> ItemRef<'_> {
        ItemRef {
            kind: self.kinds[i],
            policy: &self.policies[self.policy_of[i] as usize],
            id: &self.ids[Items::span(&self.id_ends, i)],
            text: &self.texts[i],
        }
    }

    pub fn kind(&self, i: usize) -> Kind {
        self.kinds[i]
    }

    pub fn text(&self, i: usize) -> &str {
        &self.texts[i]
    }

    /// The text's length in bytes: of two equal scores, the shorter text (a
    /// name, a label) is the more pointed match.
    pub fn text_len(&self, i: usize) -> u32 {
        offset(self.texts[i].len())
    }

    pub fn shrink_to_fit(&mut self) {
        self.texts.shrink_to_fit();
        self.ids.shrink_to_fit();
        self.policy_ids = HashMap::new();
    }
}

impl FromIterator<SearchItem> for Items {
    fn from_iter<T: IntoIterator<Item = SearchItem>>(iter: T) -> Items {
        let mut items = Items::new();
        for i in iter {
            items.push(i.kind, &i.policy, &i.id, i.text);
        }
        items
    }
}

impl From<Vec<SearchItem>> for Items {
    fn from(list: Vec<SearchItem>) -> Items {
        list.into_iter().collect()
    }
}
