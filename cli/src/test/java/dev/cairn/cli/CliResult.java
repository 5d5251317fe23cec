package dev.cairn.cli;

import java.util.List;

/**
 * What one command line run by {@link Cli} gave: its exit status, its text on standard output and
 * standard error, and the bytes it wrote to standard output (null when the test gave its own).
 */
record CliResult(int exit, String out, String err, byte[] bytes) {
  List<String> lines() {
    return out.lines().toList();
  }
}
