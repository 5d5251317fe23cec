package dev.cairn.archive;

/** How a layer directory records that a lower layer's file is gone. */
public enum WhiteoutFormat {
  /**
   * The layer directory holds the whole filesystem: a {@code .wh.NAME} entry deletes NAME and an
   * opaque marker {@code .wh..wh..opq} empties the directory of lower-layer entries.
   */
  AUFS,
  /**
   * The layer directory is an overlayfs upper directory over its parents: a deleted NAME becomes a
   * 0/0 character device, an opaque directory carries {@code trusted.overlay.opaque=y}. Needs root.
   */
  OVERLAY;

  /** The xattr overlayfs reads to hide a directory's lower content. */
  public static final String OPAQUE_XATTR = "trusted.overlay.opaque";
}
