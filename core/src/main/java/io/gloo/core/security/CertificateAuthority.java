package io.gloo.core.security;

import com.google.errorprone.annotations.ThreadSafe;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The control plane's certificate authority: a self-signed RSA-3072 root (10 years) that issues short-lived leaf
 * certificates with ECDSA P-256 keys to proxies, plugin services and the control plane itself. Loaded or created once and shared by every
 * replica: in directory mode from {@code <stateDir>/ca.crt} and {@code ca.key} ({@link CaDirectory}), in Kubernetes
 * mode from the Secret {@value CaSecret#NAME} in the control plane's namespace ({@link CaSecret}).
 *
 * <p>Leaves carry the identity as a URI SAN, optional DNS/IP SANs, and both serverAuth and clientAuth, so one
 * certificate serves either side of mutual TLS.
 *
 * <p>Why the CA's key is RSA while the leaves' are ECDSA: a TLS handshake signs and verifies with the leaves' keys in
 * BoringSSL (native, cheap for P-256), but the CA's signature on the peer's certificate is verified by a Java trust
 * manager (netty always hands the peer's chain to one: {@link CaClientTrust} on our servers, the JDK's PKIX check in
 * Java clients), and on JDK 17 a P-256 verification in Java costs about 1 ms of CPU against about 0.08 ms for an
 * RSA-3072 one (e = 65537) — the largest part of the control plane's per-connection TLS cost when every proxy
 * reconnects at once (bench/README.md, XdsTlsBench). RSA-3072 matches P-256's 128-bit strength; its slow operations
 * (key generation once, signing at issue time) are off the handshake path. A CA created before (ECDSA P-256) keeps
 * working: the signature algorithm follows the stored key ({@link #signatureAlgorithm}); README.md's security section
 * tells how to replace it. Thread-safe: the key material is immutable and issuing uses only
 * thread-safe JCA objects created per call.
 */
@ThreadSafe
public final class CertificateAuthority {

  /** How long a new CA certificate is valid. */
  public static final Duration CA_LIFETIME = Duration.ofDays(3650);
  /** Leaves are back-dated by this much (bounded by half their lifetime) so peers with a slow clock accept them. */
  static final Duration BACKDATE = Duration.ofMinutes(5);
  /** The key size of new CAs: RSA with 128-bit strength, as P-256. */
  static final int CA_RSA_BITS = 3072;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CertificateAuthority.class);

  private final X509Certificate certificate;
  private final PrivateKey key;
  private final String certificatePem;
  private final Clock clock;

  CertificateAuthority(X509Certificate certificate, PrivateKey key, Clock clock) {
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.key = Objects.requireNonNull(key, "key");
    this.certificatePem = Pem.certificate(certificate);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Directory mode: {@code <stateDir>/ca.crt} and {@code <stateDir>/ca.key} (0600, dir 0700); created on first use, reused after. */
  public static CertificateAuthority loadOrCreate(Path stateDir) throws IOException {
    return CaDirectory.loadOrCreate(stateDir);
  }

  /**
   * Kubernetes mode: Secret {@code gloo-ca} (type {@code kubernetes.io/tls} + {@code ca.crt}) in {@code namespace};
   * create-if-absent, racing replicas converge on one.
   *
   * @throws IllegalStateException if the Secret cannot be read or created, or holds no usable CA
   */
  public static CertificateAuthority loadOrCreate(KubernetesClient client, String namespace) {
    return CaSecret.loadOrCreate(client, namespace);
  }

  /**
   * Kubernetes mode, read-only: the Secret {@code gloo-ca} in {@code namespace}, which {@code gloo serve} created.
   *
   * @throws IllegalStateException naming the Secret if it is absent, unreadable or holds no usable CA
   */
  public static CertificateAuthority load(KubernetesClient client, String namespace) {
    return CaSecret.load(client, namespace);
  }

  /** A new CA with a fresh key (not persisted; {@link CaDirectory} and {@link CaSecret} persist it). */
  static CertificateAuthority generate(Clock clock) {
    return generate(clock, newRsaKeyPair());
  }

  /**
   * A new CA on {@code pair} (RSA or EC); {@link #generate(Clock)} uses RSA, tests use EC for the CAs created before
   * the switch.
   */
  static CertificateAuthority generate(Clock clock, KeyPair pair) {
    Instant now = clock.instant();
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "gloo")
        .addRDN(BCStyle.CN, "gloo control plane CA")
        .build();
    try {
      var utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
          Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_LIFETIME)), name, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(sign(builder, pair.getPrivate()), pair.getPrivate(), clock);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create the CA certificate: " + e.getMessage(), e);
    }
  }

  /**
   * A leaf for {@code identity} (URI SAN), usable as TLS client and server cert.
   *
   * @param dnsNames extra SANs for server certificates: host names become DNS SANs, IP literals IP SANs; may be empty
   * @param lifetime how long from now the certificate is valid
   */
  public IssuedCertificate issue(SpiffeId identity, List<String> dnsNames, Duration lifetime) {
    Objects.requireNonNull(identity, "identity");
    if (lifetime == null || lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("lifetime must be positive: " + lifetime);
    }
    KeyPair pair = newLeafKeyPair();
    Instant now = clock.instant();
    Duration backdate = BACKDATE.compareTo(lifetime.dividedBy(2)) < 0 ? BACKDATE : lifetime.dividedBy(2);
    Instant notAfter = now.plus(lifetime);
    List<GeneralName> sans = new ArrayList<>();
    sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri()));
    for (String host : dnsNames == null ? List.<String>of() : dnsNames) {
      if (host != null && !host.isBlank()) {
        sans.add(isIpLiteral(host)
            ? new GeneralName(GeneralName.iPAddress, host)
            : new GeneralName(GeneralName.dNSName, host));
      }
    }
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "gloo").build();
    try {
      var utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
          Date.from(now.minus(backdate)), Date.from(notAfter), subject, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(sans.toArray(GeneralName[]::new)))
          .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(certificate))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
      X509Certificate leaf = sign(builder, key);
      // X.509 has second precision: report the expiry the certificate really carries.
      return new IssuedCertificate(Pem.certificate(leaf), Pem.privateKey(pair.getPrivate()), certificatePem,
          leaf.getNotAfter().toInstant());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + identity + ": " + e.getMessage(), e);
    }
  }

  public String caCertificatePem() {
    return certificatePem;
  }

  /** The same CA, issuing with {@code clock}'s time (tests of expiry and rotation). */
  public CertificateAuthority withClock(Clock clock) {
    return new CertificateAuthority(certificate, key, clock);
  }

  X509Certificate certificate() {
    return certificate;
  }

  String privateKeyPem() {
    return Pem.privateKey(key);
  }

  /** Rebuilds a CA from stored PEM, checking that the key belongs to the certificate and that it is a CA. */
  static CertificateAuthority fromPem(String certificatePem, String keyPem, String where) throws IOException {
    X509Certificate cert = Pem.parseCertificate(certificatePem);
    PrivateKey key = Pem.parsePrivateKey(keyPem);
    if (cert.getBasicConstraints() < 0) {
      throw new IOException(where + ": the certificate is not a CA certificate");
    }
    if (!List.of("RSA", "EC", "ECDSA").contains(key.getAlgorithm())) {
      throw new IOException(where + ": unsupported CA key algorithm " + key.getAlgorithm() + " (RSA or EC expected)");
    }
    if (!matches(cert.getPublicKey(), key)) {
      throw new IOException(where + ": the private key does not belong to the CA certificate");
    }
    if (!"RSA".equals(key.getAlgorithm())) {
      LOG.info("{}: the CA has an ECDSA key (created before RSA CAs); it keeps working, but every handshake then "
          + "verifies an ECDSA signature in Java (about 1 ms of CPU): README.md, 'Replacing an ECDSA CA'", where);
    }
    return new CertificateAuthority(cert, key, Clock.systemUTC());
  }

  private static boolean matches(PublicKey publicKey, PrivateKey privateKey) {
    try {
      byte[] probe = new byte[32];
      RANDOM.nextBytes(probe);
      String algorithm = signatureAlgorithm(privateKey);
      var signer = java.security.Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] signature = signer.sign();
      var verifier = java.security.Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** The signature algorithm of a CA key: SHA256withRSA for RSA (new CAs), SHA256withECDSA for EC (earlier ones). */
  static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC", "ECDSA" -> "SHA256withECDSA";
      default -> throw new IllegalArgumentException("unsupported CA key algorithm " + key.getAlgorithm());
    };
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      var contentSigner = new JcaContentSignerBuilder(signatureAlgorithm(signer)).build(signer);
      return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  /** A leaf's key: ECDSA P-256, which the TLS handshake uses natively (BoringSSL in netty and Envoy). */
  static KeyPair newLeafKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA P-256 is not available: " + e.getMessage(), e);
    }
  }

  private static KeyPair newRsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(CA_RSA_BITS, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA is not available: " + e.getMessage(), e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true;
    }
    if (!host.matches("[0-9.]+")) {
      return false;
    }
    try {
      InetAddress.getByName(host); // a literal: no lookup happens
      return true;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
