package io.gloo.core.plugin;

import com.google.errorprone.annotations.ThreadSafe;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expanded plugin archives kept across runs (issue #21: an offline command used to expand 17 MB of plugin zips on
 * every run). An archive is expanded once into {@code DIR/NAME-KEY} ({@code NAME-KEY.jar} for a jar), where KEY is a
 * SHA-256 over the archive's size and its zip central directory and end record: names, sizes and CRC-32 of every
 * entry, so any change of content gives a new key (and a new copy) without reading the whole archive. A copy is
 * written under a temporary name in DIR and renamed into place atomically, so concurrent runs never see half of one
 * (the loser of a race drops its own). Copies are never changed once in place: an archive replaced while a plugin
 * runs gets a copy of its own, and the running one's bytes stay as they were. A copy unused for
 * {@link #UNUSED_FOR} is deleted by a later {@link #prune()}.
 *
 * <p>The launcher names the directory with the {@value #PROPERTY} system property ({@code APP_HOME/cache/plugins},
 * falling back to {@code ${XDG_CACHE_HOME:-~/.cache}/gloo/plugins} when that is not writable); without it (tests,
 * embedded use) plugins are expanded into a private work directory per load, as before. The directory is created
 * owner-only: what it holds is code the control plane runs.
 */
@ThreadSafe
final class PluginCache {

  private static final Logger LOG = LoggerFactory.getLogger(PluginCache.class);

  /** System property naming the cache directory; {@code off} (or unset) means no cache. */
  static final String PROPERTY = "gloo.plugin-cache";

  /** Copies not used for this long are deleted by {@link #prune()}. */
  static final Duration UNUSED_FOR = Duration.ofDays(14);

  private static final int END_RECORD = 0x06054b50;
  private static final int END_RECORD_SIZE = 22;
  private static final int MAX_COMMENT = 0xffff;

  private final Path dir;

  PluginCache(Path dir) throws IOException {
    this.dir = createPrivate(dir.toAbsolutePath().normalize());
  }

  Path dir() {
    return dir;
  }

  /**
   * The cache the launcher configured ({@value #PROPERTY}), or its fallback under the user's cache directory when
   * that is not writable; null when none is configured or none is usable (then plugins are expanded per load).
   */
  static Path configured() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank() || value.equals("off")) {
      return null;
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of(value));
    String xdg = System.getenv("XDG_CACHE_HOME");
    String home = System.getProperty("user.home");
    if (xdg != null && !xdg.isBlank()) {
      candidates.add(Path.of(xdg, "gloo", "plugins"));
    } else if (home != null && !home.isBlank()) {
      candidates.add(Path.of(home, ".cache", "gloo", "plugins"));
    }
    for (Path candidate : candidates) {
      try {
        createPrivate(candidate);
        if (Files.isWritable(candidate)) {
          return candidate;
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("plugin cache {} is not usable: {}", candidate, e.toString());
      }
    }
    return null;
  }

  /** The expanded copy of {@code archive} (a directory for a zip, a file for a jar), expanding it on first use. */
  Path expanded(Path archive) throws IOException {
    String name = archive.getFileName().toString();
    boolean jar = name.toLowerCase(Locale.ROOT).endsWith(".jar");
    String key = key(archive);
    Path target = dir.resolve(name + "-" + key + (jar ? ".jar" : ""));
    if (Files.exists(target)) {
      touch(target);
      return target;
    }
    Path temp = Files.createTempDirectory(dir, ".expanding-");
    try {
      Path copy = PluginArchives.prepare(archive, temp, 0);
      if (!key.equals(key(archive))) {
        throw new IOException(archive.getFileName() + " changed while it was being read");
      }
      try {
        Files.move(copy, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("plugin cache " + dir + " cannot rename atomically: " + e.getMessage(), e);
      } catch (IOException e) {
        if (!Files.exists(target)) {
          throw e;
        }
        LOG.debug("{} was expanded by another run at the same time", target.getFileName());
      }
      return target;
    } finally {
      PluginArchives.deleteRecursively(temp);
    }
  }

  /**
   * Deletes copies not used for {@link #UNUSED_FOR}, and temporary directories that old (a run killed while
   * expanding). Never throws.
   */
  void prune() {
    Instant before = Instant.now().minus(UNUSED_FOR);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        try {
          if (Files.getLastModifiedTime(file).toInstant().isBefore(before)) {
            LOG.debug("deleting unused plugin copy {}", file);
            PluginArchives.deleteRecursively(file);
          }
        } catch (IOException e) {
          LOG.debug("cannot prune {}: {}", file, e.getMessage());
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot list plugin cache {}: {}", dir, e.getMessage());
    }
  }

  /**
   * What identifies an archive's content: SHA-256 over its size, its central directory and its end record (32 hex
   * digits of it). An archive that is not a zip (or whose end record does not describe it) is hashed whole.
   */
  static String key(Path archive) throws IOException {
    MessageDigest sha = sha256();
    try (FileChannel channel = FileChannel.open(archive, StandardOpenOption.READ)) {
      long size = channel.size();
      sha.update(ByteBuffer.allocate(Long.BYTES).putLong(0, size));
      int tailLength = (int) Math.min(size, END_RECORD_SIZE + MAX_COMMENT);
      ByteBuffer tail = read(channel, size - tailLength, tailLength).order(ByteOrder.LITTLE_ENDIAN);
      int end = -1;
      for (int i = tailLength - END_RECORD_SIZE; i >= 0; i--) {
        if (tail.getInt(i) == END_RECORD) {
          end = i;
          break;
        }
      }
      long directorySize = end < 0 ? -1 : Integer.toUnsignedLong(tail.getInt(end + 12));
      long directoryOffset = end < 0 ? -1 : Integer.toUnsignedLong(tail.getInt(end + 16));
      if (end < 0 || directoryOffset + directorySize > size - tailLength + end || directorySize > Integer.MAX_VALUE) {
        sha.update(read(channel, 0, (int) Math.min(size, Integer.MAX_VALUE))); // not a plain zip: all of it
      } else {
        sha.update(read(channel, directoryOffset, (int) directorySize));
        sha.update(tail.position(end));
      }
    }
    return HexFormat.of().formatHex(sha.digest(), 0, 16);
  }

  private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("archive shorter than its size");
      }
    }
    return buffer.flip();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Marks a copy in use as used now when its mark is over a day old (a long-running serve keeps its copies). */
  void keepAlive(Path copy) {
    try {
      if (Files.getLastModifiedTime(copy).toInstant().isBefore(Instant.now().minus(Duration.ofDays(1)))) {
        touch(copy);
      }
    } catch (IOException e) {
      LOG.debug("cannot read the time of {}: {}", copy, e.getMessage());
    }
  }

  /** Marks a copy as used now (for {@link #prune()}); a failure only makes it look older. */
  private static void touch(Path copy) {
    try {
      Files.setLastModifiedTime(copy, FileTime.from(Instant.now()));
    } catch (IOException e) {
      LOG.debug("cannot touch {}: {}", copy, e.getMessage());
    }
  }

  private static Path createPrivate(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return dir;
    }
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(dir.getParent());
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (FileAlreadyExistsException raced) {
        // another run created it
      }
      return dir;
    }
    return Files.createDirectories(dir);
  }
}
