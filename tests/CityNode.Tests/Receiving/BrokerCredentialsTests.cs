using CityNode.Host.Mqtt;
using CityNode.Host.Stores;
using Xunit;

namespace CityNode.Tests.Receiving;

/// <summary>Backend passwords from a file or the environment rather than the URL (issue 14, item 18).</summary>
public sealed class BrokerCredentialsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-cred-").FullName;

    private static Func<string, string?> Env(string? value) => name => name == BrokerCredentials.PasswordVariable ? value : null;

    [Fact]
    public void The_environment_gives_the_password_of_the_urls_user()
    {
        var b = BrokerCredentials.Resolve(BrokerAddress.Parse("mqtt://backend@h:1883"), null, Env("from-env"));
        Assert.Equal(("backend", "from-env"), (b.Username, b.Password));

        var url = BrokerCredentials.Resolve(BrokerAddress.Parse("mqtt://backend:in-url@h:1883"), null, Env("from-env"));
        Assert.Equal("in-url", url.Password);

        var anonymous = BrokerCredentials.Resolve(BrokerAddress.Parse("mqtt://h:1883"), null, Env("from-env"));
        Assert.Null(anonymous.Password);
    }

    [Fact]
    public void A_password_file_gives_its_first_line_and_is_checked()
    {
        string file = Path.Combine(_dir, "pw");
        File.WriteAllText(file, "s3cret with space \r\nignored\n");
        Assert.Equal("s3cret with space ", BrokerCredentials.Resolve(BrokerAddress.Parse("mqtt://backend@h"), file, Env(null)).Password);

        Assert.Contains("in one place", Assert.Throws<FormatException>(() => BrokerCredentials.Resolve(BrokerAddress.Parse("mqtt://backend:x@h"), file, Env(null))).Message);
        Assert.Contains("needs a user", Assert.Throws<FormatException>(() => BrokerCredentials.Resolve(BrokerAddress.Parse("mqtt://h"), file, Env(null))).Message);
        Assert.Contains("no such file", Assert.Throws<FormatException>(() => BrokerCredentials.Resolve(BrokerAddress.Parse("mqtt://backend@h"), file + ".missing", Env(null))).Message);
        File.WriteAllText(file, "\n");
        Assert.Contains("first line is empty", Assert.Throws<FormatException>(() => BrokerCredentials.Resolve(BrokerAddress.Parse("mqtt://backend@h"), file, Env(null))).Message);
    }

    [Fact]
    public void A_postgres_password_file_needs_postgres_and_a_string_without_password()
    {
        string file = Path.Combine(_dir, "pg");
        File.WriteAllText(file, "pg-secret\n");
        Assert.Contains("give --postgres too", Assert.Throws<StoreException>(() => TelemetryStores.Open(null, null, file)).Message);
        var e = Assert.Throws<StoreException>(() => TelemetryStores.Open(null, "Host=127.0.0.1;Password=inline", file));
        Assert.Contains("in one place", e.Message);
        Assert.DoesNotContain("inline", e.Message);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
