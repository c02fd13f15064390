//! The browse tree: policies, each with its collection contexts (nested) and
//! its sections and clauses. Built once from the corpus; which nodes are
//! expanded and which is selected live in the app state.

use std::collections::HashSet;

use crate::model::{Context, Corpus, Policy};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Policy,
    ContextGroup,
    SectionGroup,
    /// Path of indices from the policy's top-level contexts down.
    Context(Vec<usize>),
    Section(usize),
    Clause(usize, usize),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub policy: usize,
    pub kind: NodeKind,
    pub depth: usize,
    pub parent: Option<usize>,
    /// One past the last node of this node's subtree. Nodes are added
    /// depth first, so a subtree is the range `id..end`: no list of
    /// children per node (at a thousand policies there are some 240,000).
    pub end: usize,
}

#[derive(Debug, Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub roots: Vec<usize>,
}

impl Tree {
    pub fn build(corpus: &Corpus) -> Tree {
        let mut tree = Tree::default();
        tree.extend(corpus);
        tree
    }

    /// Adds the nodes of the policies the tree does not have yet (the
    /// corpus grows at its end while a folder loads): existing nodes keep
    /// their numbers, new ones follow in display order.
    pub fn extend(&mut self, corpus: &Corpus) {
        let tree = self;
        for (pi, loaded) in corpus.policies.iter().enumerate().skip(tree.roots.len()) {
            let policy = &loaded.policy;
            let root = tree.add(pi, NodeKind::Policy, 0, None);
            tree.roots.push(root);
            if !policy.contexts.is_empty() {
                let group = tree.add(pi, NodeKind::ContextGroup, 1, Some(root));
                tree.add_contexts(pi, &policy.contexts, &[], 2, group);
            }
            let group = tree.add(pi, NodeKind::SectionGroup, 1, Some(root));
            for (si, section) in policy.sections.iter().enumerate() {
                let s = tree.add(pi, NodeKind::Section(si), 2, Some(group));
                for ci in 0..section.clauses.len() {
                    tree.add(pi, NodeKind::Clause(si, ci), 3, Some(s));
                }
            }
        }
    }

    fn add(&mut self, policy: usize, kind: NodeKind, depth: usize, parent: Option<usize>) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node {
            policy,
            kind,
            depth,
            parent,
            end: id + 1,
        });
        let mut ancestor = parent;
        while let Some(a) = ancestor {
            self.nodes[a].end = id + 1;
            ancestor = self.nodes[a].parent;
        }
        id
    }

    pub fn has_children(&self, node: usize) -> bool {
        self.nodes[node].end > node + 1
    }

    fn add_contexts(
        &mut self,
        pi: usize,
        list: &[Context],
        prefix: &[usize],
        depth: usize,
        parent: usize,
    ) {
        for (i, context) in list.iter().enumerate() {
            let mut path = prefix.to_vec();
            path.push(i);
            let node = self.add(pi, NodeKind::Context(path.clone()), depth, Some(parent));
            self.add_contexts(pi, &context.contexts, &path, depth + 1, node);
        }
    }

    /// Nodes shown when `expanded` says which are open, in display order.
    pub fn visible(&self, expanded: &[bool]) -> Vec<usize> {
        let mut out = Vec::new();
        let mut n = 0;
        while n < self.nodes.len() {
            out.push(n);
            // Into an open node's subtree, or over a closed one.
            n = if expanded[n] {
                n + 1
            } else {
                self.nodes[n].end
            };
        }
        out
    }

    /// The node showing `kind` of policy `policy`: only the nodes of the
    /// policy's subtree are looked at.
    pub fn find(&self, policy: usize, kind: &NodeKind) -> Option<usize> {
        let root = *self.roots.get(policy)?;
        (root..self.nodes[root].end).find(|&n| self.nodes[n].kind == *kind)
    }

    /// The node of a clause, by id.
    pub fn find_clause(&self, corpus: &Corpus, policy: usize, clause_id: &str) -> Option<usize> {
        let (si, ci) = corpus.policies[policy].policy.clause_position(clause_id)?;
        self.find(policy, &NodeKind::Clause(si, ci))
    }

    pub fn find_context(&self, policy: usize, path: &[usize]) -> Option<usize> {
        self.find(policy, &NodeKind::Context(path.to_vec()))
    }

    pub fn ancestors(&self, node: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = self.nodes[node].parent;
        while let Some(p) = at {
            out.push(p);
            at = self.nodes[p].parent;
        }
        out
    }
}

/// The ids of the clauses some context or flow of a policy cites.
pub fn cited_clauses(policy: &Policy) -> HashSet<&str> {
    policy
        .contexts_flat()
        .into_iter()
        .flat_map(|(_, c)| c.evidence_ids())
        .collect()
}

/// Every context path of a policy that cites `clause_id`, depth first.
pub fn contexts_citing(policy: &Policy, clause_id: &str) -> Vec<Vec<usize>> {
    fn walk(out: &mut Vec<Vec<usize>>, list: &[Context], prefix: &mut Vec<usize>, id: &str) {
        for (i, c) in list.iter().enumerate() {
            prefix.push(i);
            if c.evidence_ids().any(|e| e == id) {
                out.push(prefix.clone());
            }
            walk(out, &c.contexts, prefix, id);
            prefix.pop();
        }
    }
    let mut out = Vec::new();
    walk(&mut out, &policy.contexts, &mut Vec::new(), clause_id);
    out
}
