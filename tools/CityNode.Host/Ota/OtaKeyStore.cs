using System.Security.Cryptography;
using CityNode.Node;

namespace CityNode.Host.Ota;

/// <summary>
/// The backend's copy of every node's OTA key (docs/ota.md, "Keys"): a folder (default
/// <see cref="DefaultFolder"/>) holding <c>ID.key</c> per node, created mode 600, in the format of
/// the node's own copy (<see cref="NodeFiles.OtaKey"/>: 64 hex digits on one line, which
/// <see cref="Release.ReadKey"/> and so <c>citynode release --key</c> read). <c>provision</c> writes
/// both; <c>citynode ota</c> signs each node's manifest with it. A key is never printed.
/// </summary>
public static class OtaKeyStore
{
    public const string DefaultFolder = "ota-keys";

    /// <summary>An HMAC-SHA256 key of the hash's own size (RFC 2104 §3: shorter weakens it, longer adds nothing).</summary>
    public const int KeyLength = 32;

    public static string PathOf(string folder, uint node) => Path.Combine(folder, node + ".key");

    /// <summary>A fresh key from the OS's CSPRNG.</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeyLength);

    /// <summary>The node's key, or null when the folder holds none for it.</summary>
    public static byte[]? TryLoad(string folder, uint node)
    {
        string path = PathOf(folder, node);
        return File.Exists(path) ? Release.ReadKey(path) : null;
    }

    /// <summary>Writes a node's key (the caller has checked there is none, or was told to replace it).</summary>
    public static void Save(string folder, uint node, byte[] key)
    {
        Directory.CreateDirectory(folder);
        WriteKeyFile(PathOf(folder, node), key);
    }

    /// <summary>A key file, the node's or the backend's: 64 hex digits and a line end, mode 600.</summary>
    public static void WriteKeyFile(string path, byte[] key) =>
        WriteSecret(path, System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(key) + "\n"));

    /// <summary>Creates (or replaces) a file readable by its owner only — mode 600 from the start, not chmod-ed after.</summary>
    public static void WriteSecret(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var s = new FileStream(path, options))
        {
            s.Write(bytes);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
