"""Historical markings: innovation numbers and node ids shared across genomes.

The tracker belongs to whoever runs evolution (the population) and is passed
to operators explicitly; it is never stored on a config or in a global.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import CheckpointError

__all__ = ["InnovationTracker"]


class InnovationTracker:
    """Assigns innovation numbers to connections and ids to new nodes.

    * A connection ``(src, dst)`` gets one innovation number for the whole
      run: whichever genome first creates it fixes the number, and every later
      genome that creates the same pair gets the same number.
    * Splitting a connection gives, within one generation, the same new node
      id to every genome that splits that connection (the NEAT paper's rule),
      and so the same two innovation numbers for the connections into and out
      of the new node.  ``new_generation()`` forgets these splits, so a split
      of the same connection in a later generation makes a new node.

    Parameters
    ----------
    next_node_id
        The first id handed to a new node; must exceed every id the start
        topology uses.  ``InnovationTracker.for_config(config)`` sets it.
    next_innovation
        The first innovation number handed out.
    """

    def __init__(self, next_node_id: int, next_innovation: int = 0) -> None:
        if int(next_node_id) < 0 or int(next_innovation) < 0:
            raise ValueError("next_node_id and next_innovation must be non-negative")
        self._next_node_id = int(next_node_id)
        self._next_innovation = int(next_innovation)
        self._innovations: dict[tuple[int, int], int] = {}
        self._splits: dict[tuple[int, int], int] = {}
        self._generation = 0

    @classmethod
    def for_config(cls, config: Any) -> InnovationTracker:
        """A fresh tracker for genomes of ``config`` (a ``Config`` or ``GenomeConfig``)."""
        genome_config = getattr(config, "genome", config)
        return cls(next_node_id=genome_config.first_hidden_id + genome_config.num_initial_hidden)

    # ------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """Number of ``new_generation()`` calls so far."""
        return self._generation

    @property
    def next_node_id(self) -> int:
        """The id the next new node will get."""
        return self._next_node_id

    @property
    def next_innovation(self) -> int:
        """The innovation number the next new connection will get."""
        return self._next_innovation

    def __len__(self) -> int:
        """Number of distinct connections seen so far."""
        return len(self._innovations)

    def innovation(self, src: int, dst: int) -> int:
        """The innovation number of connection ``src -> dst`` (assigned on first use)."""
        key = (int(src), int(dst))
        number = self._innovations.get(key)
        if number is None:
            number = self._next_innovation
            self._innovations[key] = number
            self._next_innovation += 1
        return number

    def innovations(self, src: Iterable[int], dst: Iterable[int]) -> np.ndarray:
        """Innovation numbers of many connections at once.

        Parameters
        ----------
        src, dst : (n,) int
            Endpoints of the connections, in the order numbers are to be assigned.

        Returns
        -------
        (n,) int64
        """
        keys = list(zip(np.asarray(src, dtype=np.int64).tolist(), np.asarray(dst, dtype=np.int64).tolist()))
        numbers = list(map(self._innovations.get, keys))
        if None in numbers:
            # New pairs get numbers in order of first appearance, as one innovation() call each would.
            new = dict.fromkeys(k for k, n in zip(keys, numbers) if n is None)
            first = self._next_innovation
            new.update(zip(new, range(first, first + len(new))))
            self._innovations.update(new)
            self._next_innovation += len(new)
            numbers = [new[k] if n is None else n for k, n in zip(keys, numbers)]
        return np.array(numbers, dtype=np.int64)

    def split_node_id(self, innovation: int, existing_ids: np.ndarray | Iterable[int] = ()) -> int:
        """The id of the node that splits connection ``innovation`` this generation.

        Every genome splitting the same connection in the same generation gets
        the same id.  If the genome already holds that node (it split the same
        connection earlier this generation and the connection was re-enabled),
        the next id in a chain shared by all genomes is used, so a genome never
        receives a node id it already has.

        Parameters
        ----------
        innovation
            Innovation number of the connection being split.
        existing_ids : (n,) int
            Node ids the splitting genome already holds.
        """
        existing = set(np.asarray(existing_ids, dtype=np.int64).tolist())
        occurrence = 0
        while True:
            key = (int(innovation), occurrence)
            node_id = self._splits.get(key)
            if node_id is None:
                node_id = self._next_node_id
                self._next_node_id += 1
                self._splits[key] = node_id
            if node_id not in existing:
                return node_id
            occurrence += 1

    def split_node_ids(self, innovations: Iterable[int]) -> np.ndarray:
        """The ids of the nodes that split connections ``innovations`` this generation, in order.

        ``split_node_id`` for many splits at once, for genomes that do not
        hold the id yet (a genome that does holds it because it split the
        same connection earlier this generation: ask ``split_node_id`` with
        its ids for the next id of the chain).

        Returns
        -------
        (n,) int64
        """
        splits = self._splits
        out = []
        for innovation in np.asarray(innovations, dtype=np.int64).tolist():
            node_id = splits.get((innovation, 0))
            if node_id is None:
                node_id = splits[(innovation, 0)] = self._next_node_id
                self._next_node_id += 1
            out.append(node_id)
        return np.array(out, dtype=np.int64)

    def copy(self) -> InnovationTracker:
        """An independent tracker in the same state."""
        twin = InnovationTracker(self._next_node_id, self._next_innovation)
        twin._generation = self._generation
        twin._innovations = dict(self._innovations)
        twin._splits = dict(self._splits)
        return twin

    def new_generation(self) -> None:
        """Start a new generation: splits made from now on create new nodes."""
        self._splits.clear()
        self._generation += 1

    def reserve_node_ids(self, minimum: int) -> None:
        """Make sure new node ids are at least ``minimum`` (e.g. after loading genomes)."""
        self._next_node_id = max(self._next_node_id, int(minimum))

    # ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot of the tracker."""
        return {
            "next_node_id": self._next_node_id,
            "next_innovation": self._next_innovation,
            "generation": self._generation,
            "connections": [[s, d, n] for (s, d), n in self._innovations.items()],
            "splits": [[i, k, n] for (i, k), n in self._splits.items()],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InnovationTracker:
        """Rebuild a tracker from ``to_dict()`` output."""
        try:
            tracker = cls(int(data["next_node_id"]), int(data["next_innovation"]))
            tracker._generation = int(data.get("generation", 0))
            tracker._innovations = {(int(s), int(d)): int(n) for s, d, n in data["connections"]}
            tracker._splits = {(int(i), int(k)): int(n) for i, k, n in data.get("splits", [])}
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(f"invalid innovation tracker data: {exc!r}") from None
        return tracker

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InnovationTracker):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return (
            f"InnovationTracker(connections={len(self._innovations)}, next_node_id={self._next_node_id}, "
            f"next_innovation={self._next_innovation}, generation={self._generation})"
        )
