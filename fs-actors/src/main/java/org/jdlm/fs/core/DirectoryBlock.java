package org.jdlm.fs.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One data block of a directory: fixed slots of {@link #ENTRY_BYTES} bytes, each
 * {@code ino u64 | name length u8 | name UTF-8 (up to 55 bytes)}; a slot with inode 0 is free.
 * A directory's size is its slot count times {@link #ENTRY_BYTES}. Directory blocks are metadata:
 * read from the disk under the directory's inode glock and written through the metadata writer,
 * never through the page cache.
 */
public final class DirectoryBlock {
  public static final int ENTRY_BYTES = 64;
  public static final int MAX_NAME_BYTES = ENTRY_BYTES - 9;

  /** A name in a directory and the inode it names; a free slot has ino 0 and an empty name. */
  public record Entry(String name, long ino) {
    public static final Entry FREE = new Entry("", 0);

    public boolean free() {
      return ino == 0;
    }
  }

  private DirectoryBlock() {}

  public static int slots(int blockSize) {
    return blockSize / ENTRY_BYTES;
  }

  public static List<Entry> decode(byte[] block) {
    ByteBuffer b = ByteBuffer.wrap(block);
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < slots(block.length); i++) {
      b.position(i * ENTRY_BYTES);
      long ino = b.getLong();
      int len = b.get() & 0xff;
      if (len > MAX_NAME_BYTES) {
        throw new IllegalArgumentException("corrupt directory slot " + i + ": name length " + len);
      }
      byte[] name = new byte[len];
      b.get(name);
      entries.add(ino == 0 ? Entry.FREE : new Entry(new String(name, StandardCharsets.UTF_8), ino));
    }
    return entries;
  }

  public static byte[] encode(List<Entry> entries, int blockSize) {
    if (entries.size() > slots(blockSize)) {
      throw new IllegalArgumentException(entries.size() + " entries do not fit a " + blockSize + "-byte block");
    }
    ByteBuffer b = ByteBuffer.allocate(blockSize);
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      b.position(i * ENTRY_BYTES);
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      if (name.length > MAX_NAME_BYTES) {
        throw new IllegalArgumentException("name '" + e.name() + "' is longer than " + MAX_NAME_BYTES + " bytes");
      }
      b.putLong(e.ino()).put((byte) name.length).put(name);
    }
    return b.array();
  }
}
