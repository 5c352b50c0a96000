using System.Security.Cryptography;
using CityNode.Node;

namespace CityNode.Host.Ota;

/// <summary>
/// The backend's copy of every node's OTA key (docs/ota.md, "Keys"): a folder (default
/// <see cref="DefaultFolder"/>) holding <c>ID.key</c> per node, 64 hex digits on one line — the
/// format <see cref="Release.ReadKey"/> (and so <c>citynode release --key</c>) reads — created mode
/// 600. <c>provision</c> writes it beside the node's own copy (<see cref="NodeFiles.OtaKeyFileName"/>,
/// 32 raw bytes); <c>citynode ota</c> signs each node's manifest with it. A key is never printed.
/// </summary>
public static class OtaKeyStore
{
    public const string DefaultFolder = "ota-keys";

    public static string PathOf(string folder, uint node) => Path.Combine(folder, node + ".key");

    /// <summary>A fresh key from the OS's CSPRNG.</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(NodeFiles.OtaKeyLength);

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
        WriteSecret(PathOf(folder, node), System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(key) + "\n"));
    }

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
