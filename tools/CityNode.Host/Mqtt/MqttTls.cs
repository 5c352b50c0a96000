using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace CityNode.Host.Mqtt;

/// <summary>
/// TLS for host MQTT clients. A city broker usually has a private CA (the one <c>provision</c>
/// points nodes at), so the CA file given is the only trust root: the chain must end in it and the
/// host name must match the certificate. Nothing is ever accepted untrusted.
/// </summary>
public static class MqttTls
{
    public static MqttClientTlsOptions? For(BrokerAddress broker, string? caFile)
    {
        if (!broker.Tls)
        {
            if (caFile is not null)
            {
                throw new FormatException($"--ca {caFile}: the broker {broker} is not mqtts://");
            }

            return null;
        }

        var builder = new MqttClientTlsOptionsBuilder().UseTls().WithTargetHost(broker.Host);
        if (caFile is null)
        {
            return builder.Build(); // the system's trust store
        }

        if (!File.Exists(caFile))
        {
            throw new FormatException($"--ca {caFile}: no such file");
        }

        X509Certificate2 ca;
        try
        {
            ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new FormatException($"--ca {caFile}: not a PEM or DER certificate ({e.Message})");
        }

        return builder.WithCertificateValidationHandler(e => Trusted(e.Certificate, e.SslPolicyErrors, ca)).Build();
    }

    private static bool Trusted(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2 ca)
    {
        if (presented is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA publishes no CRL
        using var cert = new X509Certificate2(presented);
        return chain.Build(cert);
    }
}
