using System.Text;

namespace CityNode.NanoTwin.Clr;

/// <summary>
/// System.Security.Cryptography.X509Certificates.X509Certificate of nanoFramework.System.Net: holds
/// the certificate's PEM or DER content (not a path); nothing is parsed until the TLS handshake.
/// </summary>
// upstream: nanoframework/System.Net nanoFramework.System.Net/X509Certificates/X509Certificate.cs
// (ctor(byte[]) and ctor(string): the string is the certificate content, kept as given).
public class X509Certificate
{
    public X509Certificate(string certificate)
        : this(Encoding.UTF8.GetBytes(certificate ?? throw new ArgumentNullException(nameof(certificate))))
    {
    }

    public X509Certificate(byte[] certificate) => RawData = certificate ?? throw new ArgumentNullException(nameof(certificate));

    /// <summary>The content as given (PEM text as UTF-8 bytes, or DER).</summary>
    internal byte[] RawData { get; }

    /// <summary>The certificate for the host's TLS stack (MQTTnet's validation).</summary>
    internal System.Security.Cryptography.X509Certificates.X509Certificate2 ToHost()
    {
        string text = Encoding.UTF8.GetString(RawData);
        return text.Contains("-----BEGIN", StringComparison.Ordinal)
            ? System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(text)
            : System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(RawData);
    }
}
