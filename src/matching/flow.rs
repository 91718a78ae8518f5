//! Minimum-cost flow by successive shortest paths, for assigning needs to offerings under
//! capacity.
//!
//! Why written here: crates.io has `mcmf` (LEMON's network simplex through C++, last released in
//! 2018) and `pathfinding` (max flow and the assignment problem, no costs with capacities); the
//! planner needs a small, safe solver it can feed supplies node by node. Costs are integers.
//!
//! The algorithm keeps node potentials so every residual edge has a non-negative reduced cost,
//! and sends flow from one supplying node at a time along a shortest path (Dijkstra) to the
//! sink. Each such step keeps the flow of least cost for the supplies sent so far, so the flow at
//! the end is of least cost for all of them. Dijkstra stops when it reaches the sink, and only
//! the nodes it settled get new potentials, so a step costs what its neighbourhood costs, not
//! what the whole network does.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

const NONE: u32 = u32::MAX;

/// A flow network with integer capacities and costs.
#[derive(Debug, Clone, Default)]
pub struct Network {
    head: Vec<u32>,
    next: Vec<u32>,
    to: Vec<u32>,
    cap: Vec<i64>,
    cost: Vec<i64>,
    potential: Vec<i64>,
    potentials_ready: bool,
    // Dijkstra's work arrays, kept between searches: a node was reached (or settled) by this
    // search when its stamp equals `round`, so nothing needs clearing between searches.
    dist: Vec<i64>,
    prev: Vec<u32>,
    reached: Vec<u32>,
    settled: Vec<u32>,
    round: u32,
}

/// An edge as [`Network::add_edge`] returned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge(u32);

impl Network {
    pub fn new(nodes: usize) -> Network {
        Network {
            head: vec![NONE; nodes],
            potential: vec![0; nodes],
            dist: vec![0; nodes],
            prev: vec![NONE; nodes],
            reached: vec![0; nodes],
            settled: vec![0; nodes],
            ..Network::default()
        }
    }

    pub fn add_node(&mut self) -> usize {
        self.head.push(NONE);
        self.potential.push(0);
        self.dist.push(0);
        self.prev.push(NONE);
        self.reached.push(0);
        self.settled.push(0);
        self.head.len() - 1
    }

    pub fn nodes(&self) -> usize {
        self.head.len()
    }

    pub fn edges(&self) -> usize {
        self.to.len() / 2
    }

    /// Adds an edge (and its residual twin). Edges must all be added before the first
    /// [`Network::send`].
    pub fn add_edge(&mut self, from: usize, to: usize, capacity: i64, cost: i64) -> Edge {
        debug_assert!(!self.potentials_ready, "edge added after sending");
        let id = self.to.len() as u32;
        for (tail, head, cap, cost) in [(from, to, capacity, cost), (to, from, 0, -cost)] {
            self.to.push(head as u32);
            self.cap.push(cap);
            self.cost.push(cost);
            self.next.push(self.head[tail]);
            self.head[tail] = self.to.len() as u32 - 1;
        }
        Edge(id)
    }

    /// Units flowing through `edge`.
    pub fn flow(&self, edge: Edge) -> i64 {
        self.cap[edge.0 as usize ^ 1]
    }

    /// Shortest distances from a virtual root joined to every node at cost 0 (Bellman–Ford over
    /// edges with room): potentials under which no edge with room has a negative reduced cost.
    /// The planner's networks are a few layers deep, so this takes a few passes.
    fn init_potentials(&mut self) {
        self.potential.iter_mut().for_each(|p| *p = 0);
        for _ in 0..self.head.len() {
            let mut changed = false;
            for edge in 0..self.to.len() {
                if self.cap[edge] <= 0 {
                    continue;
                }
                let from = self.to[edge ^ 1] as usize;
                let to = self.to[edge] as usize;
                let through = self.potential[from] + self.cost[edge];
                if through < self.potential[to] {
                    self.potential[to] = through;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.potentials_ready = true;
    }

    /// Sends up to `amount` units from `source` to `sink` along shortest paths, keeping the flow
    /// of least cost; returns the units sent (fewer when the sink cannot be reached).
    pub fn send(&mut self, source: usize, sink: usize, amount: i64) -> i64 {
        if !self.potentials_ready {
            self.init_potentials();
        }
        let mut sent = 0;
        while sent < amount {
            let Some(settled) = self.shortest_path(source, sink) else {
                break;
            };
            let mut push = amount - sent;
            let mut node = sink;
            while node != source {
                let edge = self.prev[node] as usize;
                push = push.min(self.cap[edge]);
                node = self.to[edge ^ 1] as usize;
            }
            let mut node = sink;
            while node != source {
                let edge = self.prev[node] as usize;
                self.cap[edge] -= push;
                self.cap[edge ^ 1] += push;
                node = self.to[edge ^ 1] as usize;
            }
            let to_sink = self.dist[sink];
            for v in settled {
                self.potential[v] += self.dist[v] - to_sink;
            }
            sent += push;
        }
        sent
    }

    /// Dijkstra on reduced costs from `source` until `sink` is settled; the settled nodes, or
    /// `None` if the sink cannot be reached.
    fn shortest_path(&mut self, source: usize, sink: usize) -> Option<Vec<usize>> {
        if self.round >= u32::MAX - 1 {
            self.reached.iter_mut().for_each(|s| *s = 0);
            self.settled.iter_mut().for_each(|s| *s = 0);
            self.round = 0;
        }
        self.round += 1;
        let round = self.round;
        let mut settled = Vec::new();
        let mut heap = BinaryHeap::new();
        self.dist[source] = 0;
        self.prev[source] = NONE;
        self.reached[source] = round;
        heap.push(Reverse((0i64, source as u32)));
        while let Some(Reverse((d, v))) = heap.pop() {
            let v = v as usize;
            if self.settled[v] == round || d > self.dist[v] {
                continue;
            }
            self.settled[v] = round;
            settled.push(v);
            if v == sink {
                return Some(settled);
            }
            let mut edge = self.head[v];
            while edge != NONE {
                let e = edge as usize;
                edge = self.next[e];
                if self.cap[e] <= 0 {
                    continue;
                }
                let w = self.to[e] as usize;
                if self.settled[w] == round {
                    continue;
                }
                let reduced = self.cost[e] + self.potential[v] - self.potential[w];
                debug_assert!(reduced >= 0, "negative reduced cost {reduced}");
                let through = d + reduced;
                if self.reached[w] != round || through < self.dist[w] {
                    self.reached[w] = round;
                    self.dist[w] = through;
                    self.prev[w] = e as u32;
                    heap.push(Reverse((through, w as u32)));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    /// A small assignment: needs with supplies, offerings with capacities, pair weights; the
    /// best total weight by trying every choice.
    fn brute_force(slots: &[i64], caps: &[i64], weights: &[(usize, usize, i64)]) -> i64 {
        fn go(
            i: usize,
            weights: &[(usize, usize, i64)],
            slots: &mut Vec<i64>,
            caps: &mut Vec<i64>,
        ) -> i64 {
            if i == weights.len() {
                return 0;
            }
            let skip = go(i + 1, weights, slots, caps);
            let (n, c, w) = weights[i];
            if slots[n] > 0 && caps[c] > 0 {
                slots[n] -= 1;
                caps[c] -= 1;
                let take = w + go(i + 1, weights, slots, caps);
                slots[n] += 1;
                caps[c] += 1;
                skip.max(take)
            } else {
                skip
            }
        }
        go(0, weights, &mut slots.to_vec(), &mut caps.to_vec())
    }

    fn solve(slots: &[i64], caps: &[i64], weights: &[(usize, usize, i64)]) -> (i64, Vec<i64>) {
        let (needs, offerings) = (slots.len(), caps.len());
        let sink = needs + offerings;
        let mut network = Network::new(sink + 1);
        for (n, &slot) in slots.iter().enumerate() {
            network.add_edge(n, sink, slot, 0);
        }
        for (c, &cap) in caps.iter().enumerate() {
            network.add_edge(needs + c, sink, cap, 0);
        }
        let edges: Vec<Edge> = weights
            .iter()
            .map(|&(n, c, w)| network.add_edge(n, needs + c, 1, -w))
            .collect();
        for (n, &slot) in slots.iter().enumerate() {
            assert_eq!(network.send(n, sink, slot), slot);
        }
        let flows: Vec<i64> = edges.iter().map(|&e| network.flow(e)).collect();
        let total = weights
            .iter()
            .zip(&flows)
            .map(|(&(_, _, w), &f)| w * f)
            .sum();
        (total, flows)
    }

    #[test]
    fn a_shared_seat_goes_where_it_adds_most() {
        // Need 0 likes both offerings; need 1 only offering 0, which has one seat. Greedy would
        // give need 0 its favourite (offering 0, weight 9) and leave need 1 with nothing.
        let weights = [(0, 0, 9), (0, 1, 8), (1, 0, 7)];
        let (total, flows) = solve(&[1, 1], &[1, 1], &weights);
        assert_eq!(total, 15);
        assert_eq!(flows, [0, 1, 1]);
    }

    #[test]
    fn random_small_cases_match_brute_force() {
        let mut rng = StdRng::seed_from_u64(7);
        for case in 0..400 {
            let needs = rng.random_range(1..=4);
            let offerings = rng.random_range(1..=4);
            let slots: Vec<i64> = (0..needs).map(|_| rng.random_range(0..=3)).collect();
            let caps: Vec<i64> = (0..offerings).map(|_| rng.random_range(0..=3)).collect();
            let mut weights = Vec::new();
            for n in 0..needs {
                for c in 0..offerings {
                    if rng.random_bool(0.7) {
                        weights.push((n, c, rng.random_range(1..=100)));
                    }
                }
            }
            let (total, flows) = solve(&slots, &caps, &weights);
            assert_eq!(total, brute_force(&slots, &caps, &weights), "case {case}");
            for (n, &slot) in slots.iter().enumerate() {
                let used: i64 = weights
                    .iter()
                    .zip(&flows)
                    .filter(|((m, _, _), _)| *m == n)
                    .map(|(_, f)| f)
                    .sum();
                assert!(used <= slot, "case {case}");
            }
            for (c, &cap) in caps.iter().enumerate() {
                let used: i64 = weights
                    .iter()
                    .zip(&flows)
                    .filter(|((_, d, _), _)| *d == c)
                    .map(|(_, f)| f)
                    .sum();
                assert!(used <= cap, "case {case}");
            }
        }
    }

    #[test]
    fn an_unreachable_sink_sends_nothing() {
        let mut network = Network::new(3);
        network.add_edge(0, 1, 5, 1);
        assert_eq!(network.send(0, 2, 3), 0);
    }
}
