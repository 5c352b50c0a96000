using System.Security.Cryptography;

namespace CityNode.Host.Provisioning;

/// <summary>
/// A line of a mosquitto 2 password file, as <c>mosquitto_passwd</c> writes it:
/// <c>user:$7$ITERATIONS$SALT$HASH</c> with PBKDF2-HMAC-SHA512, a 12-byte salt and a 64-byte
/// hash, both base64 (mosquitto's <c>src/password_mosq.c</c>, type 7). Generated here so
/// provisioning needs no mosquitto install; the integration tests log in with it.
/// </summary>
public static class MosquittoPassword
{
    public const int Iterations = 101; // mosquitto_passwd's default
    private const int SaltBytes = 12;
    private const int HashBytes = 64;

    public static string Line(string user, string password, byte[]? salt = null)
    {
        if (user.Contains(':') || user.Length == 0)
        {
            throw new FormatException($"MQTT user '{user}': must be non-empty without ':'");
        }

        salt ??= RandomNumberGenerator.GetBytes(SaltBytes);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA512, HashBytes);
        return $"{user}:$7${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Checks a password against a line (tests, and a technician's "is this the right file" check).</summary>
    public static bool Verify(string line, string password)
    {
        var parts = line.Split(':', 2);
        var f = parts.Length == 2 ? parts[1].Split('$') : [];
        if (f.Length != 5 || f[1] != "7" || !int.TryParse(f[2], out int iterations))
        {
            return false;
        }

        byte[] salt = Convert.FromBase64String(f[3]);
        byte[] expected = Convert.FromBase64String(f[4]);
        byte[] actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA512, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
