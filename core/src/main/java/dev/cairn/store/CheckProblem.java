package dev.cairn.store;

/**
 * One problem {@link Store#check} found: what it is about ({@code node <id>}, {@code tag <name>}, a
 * path in the store, a driver's layer) and why it is wrong.
 */
public record CheckProblem(String subject, String reason) {
  @Override
  public String toString() {
    return subject + ": " + reason;
  }
}
