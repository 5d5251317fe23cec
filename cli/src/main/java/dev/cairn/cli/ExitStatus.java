package dev.cairn.cli;

/**
 * The lines of the "Exit status" section each command's help ends with: the codes of the README's
 * table ({@link Main#exitCode}), each command listing those it can give.
 */
final class ExitStatus {
  private ExitStatus() {}

  static final String HEADING = "%nExit status:%n";
  static final String OK = "0:success";
  static final String INVALID =
      "1:invalid input (a usage error, a bad name, file or archive), a failed read or write, or"
          + " an internal error";
  static final String NOT_FOUND = "2:no such image";
  static final String UNAUTHORIZED = "3:the registry refused the credentials";
  static final String CONFLICT =
      "4:conflict: the image is in use, or the store was made with another driver or other ID"
          + " maps";
  static final String UNAVAILABLE = "5:unavailable: the storage driver cannot work here";
  static final String DAMAGED =
      "6:the store has problems (fsck): found, or with --repair, some that could not be repaired";
  static final String BROKEN_PIPE =
      "141:standard output was closed before the end (a broken pipe); nothing is printed";
}
