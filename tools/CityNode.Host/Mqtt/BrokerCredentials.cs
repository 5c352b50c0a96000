namespace CityNode.Host.Mqtt;

/// <summary>
/// Where a backend password may come from besides the URL, which <c>ps</c> and shell history show:
/// a file (<c>--password-file</c>, readable by the service account only) or an environment
/// variable. Passwords are never printed: <see cref="BrokerAddress.ToString"/> leaves them out.
/// </summary>
public static class BrokerCredentials
{
    /// <summary>The broker password when the URL names a user without one and no file is given.</summary>
    public const string PasswordVariable = "CITYNODE_BROKER_PASSWORD";

    /// <summary>The broker address with its password from <paramref name="passwordFile"/> or <see cref="PasswordVariable"/> when the URL has none.</summary>
    public static BrokerAddress Resolve(BrokerAddress broker, string? passwordFile, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (passwordFile is not null)
        {
            if (broker.Password is not null)
            {
                throw new FormatException($"--password-file {passwordFile}: the broker URL has a password already; give it in one place (the file)");
            }

            if (broker.Username is null)
            {
                throw new FormatException($"--password-file {passwordFile}: a password needs a user; put it in the URL (mqtt://USER@{broker.Host}:{broker.Port})");
            }

            return broker with { Password = ReadPasswordFile("--password-file", passwordFile) };
        }

        if (broker.Username is not null && broker.Password is null && environment(PasswordVariable) is { Length: > 0 } fromEnvironment)
        {
            return broker with { Password = fromEnvironment };
        }

        return broker;
    }

    /// <summary>A password file's first line (a trailing newline is not part of the password; other whitespace is).</summary>
    public static string ReadPasswordFile(string option, string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{option} {path}: cannot read it ({(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)})");
        }

        int end = text.IndexOfAny(['\r', '\n']);
        string password = end >= 0 ? text[..end] : text;
        if (password.Length == 0)
        {
            throw new FormatException($"{option} {path}: the first line is empty; write the password on it");
        }

        return password;
    }
}
