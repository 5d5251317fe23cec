package dev.cairn.store;

/** Where {@link Store#check} tells what it finds and, with a repair, what it does, as it goes. */
public interface CheckListener {
  void problem(CheckProblem problem);

  /**
   * One step of a repair, in the words {@code rmi} uses ({@code Untagged}, {@code Deleted}), and
   * {@code Removed} (an orphan layer or a leftover), {@code Fixed} (a file cairn computes again),
   * {@code Kept} (a broken node something holds: it stays, and so does its problem).
   */
  default void repaired(Store.Removal step) {}
}
