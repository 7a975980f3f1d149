package org.jdlm.fs.file;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdlm.fs.core.Dinode;
import org.jdlm.fs.core.DirectoryBlock;
import org.jdlm.fs.disk.BlockDevice;
import org.jdlm.fs.disk.BlockWrite;
import org.jdlm.fs.disk.DiskError;

/**
 * A directory as read from the disk under its inode glock: its dinode and its blocks' entries. Edits
 * stay in memory until {@link #writes()} turns them into the blocks of one metadata transaction.
 */
final class Directory {
  final long ino;
  Dinode dinode;
  private final int blockSize;
  /** Data block → its slots, in file order (directories have no holes). */
  private final Map<Integer, List<DirectoryBlock.Entry>> blocks = new LinkedHashMap<>();
  private final Set<Integer> changed = new LinkedHashSet<>();
  private boolean dinodeChanged;

  private Directory(long ino, Dinode dinode, int blockSize) {
    this.ino = ino;
    this.dinode = dinode;
    this.blockSize = blockSize;
  }

  static Directory read(BlockDevice device, long ino) throws DiskError {
    Dinode d = Dinode.decode(ino, device.read((int) ino));
    Directory dir = new Directory(ino, d, device.blockSize());
    if (d.isDirectory()) {
      for (int b : d.dataBlocks()) {
        dir.blocks.put(b, new ArrayList<>(DirectoryBlock.decode(device.read(b))));
      }
    }
    return dir;
  }

  DirectoryBlock.Entry find(String name) {
    for (List<DirectoryBlock.Entry> slots : blocks.values()) {
      for (DirectoryBlock.Entry e : slots) {
        if (!e.free() && e.name().equals(name)) {
          return e;
        }
      }
    }
    return null;
  }

  List<DirectoryBlock.Entry> entries() {
    List<DirectoryBlock.Entry> out = new ArrayList<>();
    blocks.values().forEach(s -> s.stream().filter(e -> !e.free()).forEach(out::add));
    return out;
  }

  boolean isEmpty() {
    return entries().isEmpty();
  }

  boolean remove(String name) {
    for (Map.Entry<Integer, List<DirectoryBlock.Entry>> b : blocks.entrySet()) {
      List<DirectoryBlock.Entry> slots = b.getValue();
      for (int i = 0; i < slots.size(); i++) {
        if (!slots.get(i).free() && slots.get(i).name().equals(name)) {
          slots.set(i, DirectoryBlock.Entry.FREE);
          changed.add(b.getKey());
          return true;
        }
      }
    }
    return false;
  }

  /** Adds the entry in the first free slot; false when every block is full (add a block first). */
  boolean add(String name, long child) {
    for (Map.Entry<Integer, List<DirectoryBlock.Entry>> b : blocks.entrySet()) {
      List<DirectoryBlock.Entry> slots = b.getValue();
      for (int i = 0; i < slots.size(); i++) {
        if (slots.get(i).free()) {
          slots.set(i, new DirectoryBlock.Entry(name, child));
          changed.add(b.getKey());
          return true;
        }
      }
    }
    return false;
  }

  /** Whether the dinode can point to one more block. */
  boolean canGrow() {
    return blocks.size() < Dinode.pointers(blockSize);
  }

  /** Appends a newly allocated, empty block. */
  void addBlock(int block) {
    List<DirectoryBlock.Entry> slots = new ArrayList<>();
    for (int i = 0; i < DirectoryBlock.slots(blockSize); i++) {
      slots.add(DirectoryBlock.Entry.FREE);
    }
    dinode = dinode.withBlock(blocks.size(), block)
        .withSize((long) (blocks.size() + 1) * DirectoryBlock.slots(blockSize) * DirectoryBlock.ENTRY_BYTES);
    blocks.put(block, slots);
    changed.add(block);
    dinodeChanged = true;
  }

  List<Integer> dataBlocks() {
    return new ArrayList<>(blocks.keySet());
  }

  /** The changed blocks (and the dinode, if it grew), for one metadata transaction. */
  List<BlockWrite> writes() {
    List<BlockWrite> out = new ArrayList<>();
    for (int b : changed) {
      out.add(new BlockWrite(b, DirectoryBlock.encode(blocks.get(b), blockSize)));
    }
    if (dinodeChanged) {
      out.add(new BlockWrite((int) ino, dinode.encode(blockSize)));
    }
    return out;
  }
}
