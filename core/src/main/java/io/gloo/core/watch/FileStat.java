package io.gloo.core.watch;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;

/**
 * What a file's metadata says about its content, following symbolic links: size, modification time, change time
 * (where the platform reports it) and identity (device and inode on Unix). Two equal stats of one path mean "no
 * write was seen in between" (up to the file system's timestamp resolution, see {@code ManifestScanner}).
 *
 * @param changed the inode change time, or null where the platform has none (then {@link #renamedAfterWrite} is
 *     never true)
 * @param fileKey the file's identity, or null
 */
record FileStat(long size, FileTime modified, FileTime changed, Object fileKey, boolean regularFile) {

  /** Whether the {@code unix} attribute view (with {@code ctime}) exists here; checked once. */
  private static volatile Boolean unixView;

  static FileStat of(Path file) throws IOException {
    if (!Boolean.FALSE.equals(unixView)) {
      try {
        Map<String, Object> a = Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,fileKey,isRegularFile");
        unixView = true;
        return new FileStat((Long) a.get("size"), (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("ctime"),
            a.get("fileKey"), (Boolean) a.get("isRegularFile"));
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        unixView = false;
      }
    }
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return new FileStat(a.size(), a.lastModifiedTime(), null, a.fileKey(), a.isRegularFile());
  }

  /**
   * Whether something happened to the file after its last write that was not a write: a write sets the change time
   * to the modification time, a rename (and a chmod, a {@code touch -m}) sets only the change time. So a file moved
   * into place after it was written, or whose times were set after copying ({@code cp -p}, {@code rsync},
   * {@code tar}), is whole. False when both fall in one tick of the file system's clock (often a few ms), which
   * only makes the watcher wait for the file to settle.
   */
  boolean renamedAfterWrite() {
    return changed != null && changed.compareTo(modified) > 0;
  }

  /**
   * What stands at {@code path} when it is not a readable regular file (not following a final symbolic link for
   * the description): "a directory", "a FIFO", "a dangling symbolic link", ...; null when nothing exists there.
   */
  static String describeNonFile(Path path) {
    try {
      BasicFileAttributes own = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (own.isSymbolicLink()) {
        try {
          BasicFileAttributes target = Files.readAttributes(path, BasicFileAttributes.class);
          return target.isDirectory() ? "a symbolic link to a directory" : target.isRegularFile()
              ? "a symbolic link to a file" : "a symbolic link to something other than a file";
        } catch (IOException e) {
          return "a dangling symbolic link";
        }
      }
      return own.isDirectory() ? "a directory" : own.isRegularFile() ? "a file"
          : isFifo(path) ? "a FIFO (named pipe)" : "not a regular file (a device or socket)";
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return reason(e);
    }
  }

  private static boolean isFifo(Path path) {
    try {
      Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return mode instanceof Integer m && (m & 0170000) == 0010000;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Why an I/O call failed, for a user: "permission denied", "is a directory", ... without the path. */
  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason().toLowerCase(java.util.Locale.ROOT);
    }
    return Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
  }
}
