using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using CityNode.Ota;

namespace CityNode.Host.Ota;

/// <summary>A release refused while packing, reading or signing: the message names the value, the rule and what to do.</summary>
public sealed class ReleaseException(string message) : Exception(message);

/// <summary>One file of a release, in the order it is chunked.</summary>
public sealed record ReleaseFile(string Name, byte[] Bytes);

/// <summary>
/// A release as `citynode release` packs it (docs/ota.md, "Release file"): the files of a build
/// folder, their SHA-256 and the SHA-256 of every chunk, with the version and the anti-rollback
/// counter. <see cref="Manifest"/> writes the manifest a node takes (CityNode.Ota.OtaManifest's
/// format), signed with that node's key; <see cref="Chunk"/> the chunk messages every node shares.
/// The host signs with .NET's HMACSHA256, independent of the node's managed one.
/// </summary>
public sealed class Release
{
    /// <summary>The chunk size: one chunk per sector of a node's slot (OtaUpdater.SlotSectorSize).</summary>
    public const int ChunkSize = OtaUpdater.SlotSectorSize;

    private const uint FileMagic = 0x4C524E43; // "CNRL"
    private const byte FileFormat = 1;

    private Release(uint version, uint counter, uint minLoader, IReadOnlyList<ReleaseFile> files, byte[] template)
    {
        Version = version;
        Counter = counter;
        MinLoader = minLoader;
        Files = files;
        Template = template;
    }

    public uint Version { get; }

    public uint Counter { get; }

    public uint MinLoader { get; }

    public IReadOnlyList<ReleaseFile> Files { get; }

    /// <summary>The manifest for any node, unsigned (signature algorithm 0): what the release file stores.</summary>
    public byte[] Template { get; }

    public int ChunkCount => Files.Sum(f => (f.Bytes.Length + ChunkSize - 1) / ChunkSize);

    public long TotalBytes => Files.Sum(f => (long)f.Bytes.Length);

    /// <summary>Packs the files of <paramref name="folder"/> (not its subfolders), in ordinal name order.</summary>
    public static Release Pack(string folder, uint version, uint counter, uint minLoader)
    {
        if (!Directory.Exists(folder))
        {
            throw new ReleaseException($"--from {folder}: no such folder; give the build output folder holding the application's .pe files");
        }

        var paths = Directory.GetFiles(folder).OrderBy(p => Path.GetFileName(p), StringComparer.Ordinal).ToList();
        if (paths.Count == 0)
        {
            throw new ReleaseException($"--from {folder}: the folder holds no files; give the build output folder holding the application's .pe files");
        }

        if (Directory.GetDirectories(folder).Length > 0)
        {
            throw new ReleaseException($"--from {folder}: holds subfolders; a slot is one flat folder on the node, so give a folder of files only");
        }

        var files = paths.Select(p => new ReleaseFile(Path.GetFileName(p), File.ReadAllBytes(p))).ToList();
        return Create(files, version, counter, minLoader);
    }

    /// <summary>A release of these files; checks every bound the node's manifest parser checks.</summary>
    public static Release Create(IReadOnlyList<ReleaseFile> files, uint version, uint counter, uint minLoader)
    {
        if (counter == 0)
        {
            throw new ReleaseException("--counter 0: the cable-installed image has counter 0; a release counts from 1, one more than the last release of the fleet");
        }

        if (files.Count > OtaManifest.MaxFiles)
        {
            throw new ReleaseException($"{files.Count} files: a release holds at most {OtaManifest.MaxFiles}; leave out what the application does not load");
        }

        foreach (var f in files)
        {
            if (f.Name.Length is 0 or > OtaManifest.MaxNameLength || f.Name[0] == '.'
                || !f.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                throw new ReleaseException($"file name '{f.Name}': 1 to {OtaManifest.MaxNameLength} letters, digits, '.', '-' or '_', not starting with '.' (it becomes a file name on the node's drive); rename it");
            }

            if (f.Bytes.Length == 0)
            {
                throw new ReleaseException($"file {f.Name} is empty: a slot file holds at least one byte; remove it from the folder");
            }
        }

        int chunks = files.Sum(f => (f.Bytes.Length + ChunkSize - 1) / ChunkSize);
        if (chunks > OtaManifest.MaxChunks)
        {
            long total = files.Sum(f => (long)f.Bytes.Length);
            throw new ReleaseException($"the files take {total:N0} bytes in {chunks} chunks of {ChunkSize} B; a slot holds {OtaManifest.MaxChunks} chunks ({OtaManifest.MaxChunks * ChunkSize / 1024} KB); leave out files the application does not load");
        }

        var release = new Release(version, counter, minLoader, files, []);
        return new Release(version, counter, minLoader, files, release.Build(OtaManifest.TargetAny, "", null));
    }

    /// <summary>The template signs with <paramref name="key"/> for any node holding it (the release file then carries a signed manifest).</summary>
    public Release Signed(byte[] key) => new(Version, Counter, MinLoader, Files, Build(OtaManifest.TargetAny, "", key));

    /// <summary>The stored manifest is signed (HMAC-SHA256).</summary>
    public bool IsSigned => Template.Length > 5 && Template[5] == OtaManifest.HmacSha256;

    /// <summary>The manifest for <paramref name="target"/> (kind <see cref="OtaManifest.TargetNode"/>/<see cref="OtaManifest.TargetGroup"/>, or any), HMAC-signed with <paramref name="key"/> (null: unsigned).</summary>
    public byte[] Manifest(int targetKind, string target, byte[]? key) => Build(targetKind, target, key);

    /// <summary>The chunk message for chunk <paramref name="index"/> (OtaUpdater's chunk header, then the bytes).</summary>
    public byte[] Chunk(int index)
    {
        int at = 0;
        foreach (var f in Files)
        {
            int n = (f.Bytes.Length + ChunkSize - 1) / ChunkSize;
            if (index < at + n)
            {
                int offset = (index - at) * ChunkSize;
                int length = Math.Min(ChunkSize, f.Bytes.Length - offset);
                var message = new byte[OtaUpdater.ChunkHeader + length];
                BinaryPrimitives.WriteUInt32LittleEndian(message, OtaUpdater.ChunkMagic);
                BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), Counter);
                BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(8), (ushort)index);
                BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(10), (ushort)length);
                f.Bytes.AsSpan(offset, length).CopyTo(message.AsSpan(OtaUpdater.ChunkHeader));
                return message;
            }

            at += n;
        }

        throw new ArgumentOutOfRangeException(nameof(index), index, $"the release has {ChunkCount} chunks");
    }

    /// <summary>The release file: magic "CNRL" | format u8 | template length u32 | template | the files' bytes in order.</summary>
    public byte[] ToFile()
    {
        var s = new MemoryStream();
        var head = new byte[9];
        BinaryPrimitives.WriteUInt32LittleEndian(head, FileMagic);
        head[4] = FileFormat;
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(5), (uint)Template.Length);
        s.Write(head);
        s.Write(Template);
        foreach (var f in Files)
        {
            s.Write(f.Bytes);
        }

        return s.ToArray();
    }

    /// <summary>Reads a release file back, checking each file against the SHA-256 its template records.</summary>
    public static Release Read(string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReleaseException($"release {path}: cannot read it ({e.Message}); give a file made by `citynode release`");
        }

        if (data.Length < 9 || BinaryPrimitives.ReadUInt32LittleEndian(data) != FileMagic || data[4] != FileFormat)
        {
            throw new ReleaseException($"release {path}: not a CityNode release file (format {FileFormat}); make one with `citynode release`");
        }

        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(5));
        if (length > data.Length - 9)
        {
            throw new ReleaseException($"release {path}: truncated (the manifest needs {length} bytes); copy the file again");
        }

        byte[] template = data.AsSpan(9, length).ToArray();
        OtaManifest m;
        try
        {
            m = OtaManifest.Parse(template, template.Length);
        }
        catch (ManifestException e)
        {
            throw new ReleaseException($"release {path}: its manifest is malformed ({e.Message}); make it again with `citynode release`");
        }

        var files = new List<ReleaseFile>();
        int at = 9 + length;
        for (int f = 0; f < m.FileCount; f++)
        {
            int size = m.FileSize(f);
            if (data.Length - at < size)
            {
                throw new ReleaseException($"release {path}: truncated in file {m.FileName(f)}; copy the file again");
            }

            byte[] bytes = data.AsSpan(at, size).ToArray();
            if (!SHA256.HashData(bytes).AsSpan().SequenceEqual(template.AsSpan(m.FileHashAt(f), 32)))
            {
                throw new ReleaseException($"release {path}: file {m.FileName(f)} does not match its SHA-256; the release file is damaged, make it again");
            }

            files.Add(new ReleaseFile(m.FileName(f), bytes));
            at += size;
        }

        if (at != data.Length)
        {
            throw new ReleaseException($"release {path}: {data.Length - at} bytes after the last file; make it again with `citynode release`");
        }

        return new Release(m.Version, m.Counter, m.MinLoader, files, template);
    }

    /// <summary>Parses "major.minor.patch" (major 0–255, minor and patch 0–4095).</summary>
    public static uint ParseVersion(string text, string what)
    {
        var parts = text.Split('.');
        if (parts.Length != 3
            || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, null, out int major) || major > OtaVersion.MaxMajor
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, null, out int minor) || minor > OtaVersion.MaxPart
            || !int.TryParse(parts[2], System.Globalization.NumberStyles.None, null, out int patch) || patch > OtaVersion.MaxPart)
        {
            throw new ReleaseException($"{what} '{text}': major.minor.patch, major 0 to {OtaVersion.MaxMajor}, minor and patch 0 to {OtaVersion.MaxPart} (e.g. 1.4.0)");
        }

        return OtaVersion.Pack(major, minor, patch);
    }

    /// <summary>A node's OTA key file: 64 hex digits (32 bytes), as `provision` will write it.</summary>
    public static byte[] ReadKey(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReleaseException($"--key {path}: cannot read it ({e.Message}); give the node's OTA key file");
        }

        if (text.Length != 64 || !text.All(char.IsAsciiHexDigit))
        {
            throw new ReleaseException($"--key {path}: an OTA key is 64 hex digits (32 bytes) on one line; this file holds {text.Length} characters{(text.All(char.IsAsciiHexDigit) ? "" : " that are not all hex digits")}");
        }

        return Convert.FromHexString(text);
    }

    private byte[] Build(int targetKind, string target, byte[]? key)
    {
        if (targetKind == OtaManifest.TargetAny ? target.Length != 0 : target.Length is 0 or > OtaManifest.MaxTargetLength || !target.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ReleaseException($"target '{target}': a node id or group of 1 to {OtaManifest.MaxTargetLength} letters, digits, '-' or '_' (empty for any node)");
        }

        var s = new MemoryStream();
        var w = new BinaryWriter(s);
        w.Write(OtaManifest.Magic);
        w.Write((byte)OtaManifest.Format);
        w.Write((byte)(key is null ? OtaManifest.Unsigned : OtaManifest.HmacSha256));
        w.Write(Version);
        w.Write(Counter);
        w.Write(MinLoader);
        w.Write((byte)targetKind);
        w.Write((byte)target.Length);
        w.Write(Encoding.ASCII.GetBytes(target));
        w.Write((ushort)ChunkSize);
        w.Write((byte)Files.Count);
        foreach (var f in Files)
        {
            w.Write((byte)f.Name.Length);
            w.Write(Encoding.ASCII.GetBytes(f.Name));
            w.Write((uint)f.Bytes.Length);
            w.Write(SHA256.HashData(f.Bytes));
        }

        foreach (var f in Files)
        {
            for (int offset = 0; offset < f.Bytes.Length; offset += ChunkSize)
            {
                w.Write(SHA256.HashData(f.Bytes.AsSpan(offset, Math.Min(ChunkSize, f.Bytes.Length - offset))));
            }
        }

        w.Flush();
        byte[] signed = s.ToArray();
        byte[] mac = key is null ? new byte[32] : HMACSHA256.HashData(key, signed);
        return [.. signed, .. mac];
    }
}
