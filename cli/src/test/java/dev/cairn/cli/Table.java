package dev.cairn.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a table as docker and cairn print them (a header, then rows whose columns start where the
 * header's names start), for tests that compare the cells.
 */
final class Table {
  private Table() {}

  /** The rows, each a map from column name to its cell, stripped. */
  static List<Map<String, String>> parse(String text) {
    List<String> lines = text.lines().toList();
    String header = lines.getFirst();
    List<String> names = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    // Column names are separated by at least two spaces; a name may hold one ("CREATED BY").
    for (String name : header.strip().split(" {2,}")) {
      starts.add(header.indexOf(name, starts.isEmpty() ? 0 : starts.getLast() + 1));
      names.add(name);
    }
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        int from = Math.min(starts.get(i), line.length());
        int to = i + 1 < names.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
        row.put(names.get(i), line.substring(from, to).strip());
      }
      rows.add(row);
    }
    return rows;
  }
}
