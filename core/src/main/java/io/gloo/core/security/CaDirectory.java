package io.gloo.core.security;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Directory mode of the {@link CertificateAuthority}: {@code <stateDir>/ca.crt} and {@code <stateDir>/ca.key}
 * (0600 in a 0700 directory), created on first use and reused after restarts. Creation holds a lock on
 * {@code <stateDir>/ca.lock}, so a {@code gloo serve} and a {@code gloo bootstrap} started together still agree on
 * one CA. Also writes issued material as files ({@link #writeIssued}).
 */
public final class CaDirectory {

  public static final String CA_CERT = "ca.crt";
  public static final String CA_KEY = "ca.key";
  private static final String LOCK = "ca.lock";
  private static final Logger LOG = LoggerFactory.getLogger(CaDirectory.class);
  private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");

  private CaDirectory() {
  }

  /** Where the state of a control plane serving {@code configDir} lives: {@code <configDir's parent>/.gloo}. */
  public static Path defaultStateDir(Path configDir) {
    Path abs = configDir.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    return (parent != null ? parent : abs).resolve(".gloo");
  }

  static CertificateAuthority loadOrCreate(Path stateDir) throws IOException {
    Path dir = stateDir.toAbsolutePath().normalize();
    createPrivateDirectory(dir);
    try (FileChannel lock = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        var held = lock.lock()) {
      Path cert = dir.resolve(CA_CERT);
      Path key = dir.resolve(CA_KEY);
      boolean hasCert = Files.exists(cert);
      boolean hasKey = Files.exists(key);
      if (hasCert && hasKey) {
        warnIfReadableByOthers(key);
        return CertificateAuthority.fromPem(Files.readString(cert, StandardCharsets.US_ASCII),
            Files.readString(key, StandardCharsets.US_ASCII), key.toString());
      }
      if (hasCert || hasKey) {
        throw new IOException("state directory " + dir + " has " + (hasCert ? CA_CERT : CA_KEY) + " but no "
            + (hasCert ? CA_KEY : CA_CERT) + "; restore it, or remove both to create a new CA (every proxy then "
            + "needs a new bootstrap)");
      }
      CertificateAuthority ca = CertificateAuthority.generate(Clock.systemUTC());
      // Key first: a crash in between leaves a key without a certificate, which the check above reports.
      writePrivate(key, ca.privateKeyPem());
      writeAtomically(cert, ca.caCertificatePem(), false);
      LOG.info("Created the control plane CA in {}", dir);
      return ca;
    }
  }

  /**
   * Writes {@code tls.crt}, {@code tls.key} (0600) and {@code ca.crt} into {@code dir} (created if absent).
   *
   * @return the absolute directory written to
   */
  public static Path writeIssued(IssuedCertificate issued, Path dir) throws IOException {
    Path target = dir.toAbsolutePath().normalize();
    Files.createDirectories(target);
    writePrivate(target.resolve("tls.key"), issued.privateKeyPem());
    writeAtomically(target.resolve("tls.crt"), issued.certificatePem(), false);
    writeAtomically(target.resolve("ca.crt"), issued.caCertificatePem(), false);
    return target;
  }

  /** Writes a file readable by its owner only (0600 from the start: the content never sits in a wider file). */
  static void writePrivate(Path file, String content) throws IOException {
    writeAtomically(file, content, true);
  }

  private static void writeAtomically(Path file, String content, boolean ownerOnly) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (ownerOnly && posix()) {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_RW));
    } else {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (Files.exists(dir)) {
      throw new IOException("state directory " + dir + " is not a directory");
    }
    if (posix()) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
      Files.setPosixFilePermissions(dir, OWNER_RWX); // createDirectories is subject to the umask
    } else {
      Files.createDirectories(dir);
    }
  }

  private static void warnIfReadableByOthers(Path key) throws IOException {
    if (posix()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(key);
      if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
        LOG.warn("The CA key {} is readable by other users (mode {}); chmod 600 it", key,
            PosixFilePermissions.toString(perms));
      }
    }
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
