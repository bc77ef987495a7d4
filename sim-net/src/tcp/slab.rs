//! A slab with generation-checked keys, for listeners and connections.

/// A slot's key: index and generation (a stale key finds nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

#[derive(Debug)]
struct Slot<T> {
    generation: u32,
    value: Option<T>,
}

/// Values by [`Key`], reusing freed slots (lowest-freed last: a stack, so
/// reuse order is a pure function of the operations).
#[derive(Debug)]
pub(crate) struct Slab<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Slab<T> {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    /// The key the next [`insert`](Self::insert) returns.
    pub(crate) fn next_key(&self) -> Key {
        match self.free.last() {
            Some(&index) => Key {
                index,
                generation: self.slots[index as usize].generation,
            },
            None => Key {
                index: self.slots.len() as u32,
                generation: 0,
            },
        }
    }

    pub(crate) fn insert(&mut self, value: T) -> Key {
        let key = self.next_key();
        if self.free.pop().is_none() {
            self.slots.push(Slot {
                generation: 0,
                value: None,
            });
        }
        self.slots[key.index as usize].value = Some(value);
        key
    }

    pub(crate) fn get(&self, key: Key) -> Option<&T> {
        let slot = self.slots.get(key.index as usize)?;
        (slot.generation == key.generation)
            .then_some(slot.value.as_ref())
            .flatten()
    }

    pub(crate) fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        slot.value.as_mut()
    }

    pub(crate) fn remove(&mut self, key: Key) -> Option<T> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        let value = slot.value.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(key.index);
        Some(value)
    }

    /// Occupied slots in index order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Key, &T)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            let key = Key {
                index: i as u32,
                generation: s.generation,
            };
            s.value.as_ref().map(|v| (key, v))
        })
    }

    /// Keys of occupied slots in index order.
    pub(crate) fn keys(&self) -> Vec<Key> {
        self.iter().map(|(k, _)| k).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_keys_find_nothing_and_slots_are_reused() {
        let mut slab = Slab::default();
        let a = slab.insert("a");
        assert_eq!(slab.next_key().index, 1);
        assert_eq!(slab.remove(a), Some("a"));
        assert_eq!(slab.get(a), None);
        let b = slab.insert("b");
        assert_eq!(b.index, a.index);
        assert_ne!(b, a);
        assert_eq!(slab.get(b), Some(&"b"));
        assert_eq!(slab.keys(), [b]);
    }
}
