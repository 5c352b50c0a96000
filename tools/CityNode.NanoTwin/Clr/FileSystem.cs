using System.Text;

namespace CityNode.NanoTwin.Clr;

/// <summary>System.IO.File on the board's littlefs I: drive.</summary>
// upstream: nanoframework/System.IO.FileSystem System.IO.FileSystem/File.cs (built on FileStream);
// native nf-interpreter targets/ESP32/_littlefs/littlefs_FS_Driver.cpp.
public static class File
{
    public static bool Exists(string path) => Drive().Exists(path);

    public static string ReadAllText(string path) => Encoding.UTF8.GetString(ReadAllBytes(path));

    public static byte[] ReadAllBytes(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read);
        byte[] b = new byte[f.Length];
        f.Read(b, 0, b.Length);
        return b;
    }

    public static void WriteAllBytes(string path, byte[] bytes)
    {
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write);
        f.Write(bytes, 0, bytes.Length);
    }

    public static void WriteAllText(string path, string contents) => WriteAllBytes(path, Encoding.UTF8.GetBytes(contents));

    public static void Delete(string path)
    {
        TwinBoard.Current.EnsureRunning();
        Drive().Delete(path);
    }

    internal static TwinLittleFs Drive()
    {
        var b = TwinBoard.Current;
        b.EnsureRunning();
        return b.Drive;
    }
}

/// <summary>System.IO.Directory on the I: drive.</summary>
// upstream: nanoframework/System.IO.FileSystem System.IO.FileSystem/Directory.cs.
public static class Directory
{
    public static void CreateDirectory(string path) => File.Drive().CreateDirectory(path);

    public static bool Exists(string path) => File.Drive().DirectoryExists(path);

    public static string[] GetFiles(string path) => File.Drive().FilesIn(path);
}

/// <summary>
/// System.IO.FileStream on the I: drive: works on a private copy; Flush does not commit
/// (littlefs_FS_Driver.cpp: fwrite/fflush only, esp_littlefs: "flush() does not write to flash");
/// Dispose/Close commits atomically (lfs_file_close).
/// </summary>
// upstream: nanoframework/System.IO.FileSystem System.IO.FileSystem/FileStream.cs.
public sealed class FileStream : IDisposable
{
    private readonly TwinLittleFs _drive;
    private readonly string _path;
    private readonly FileAccess _access;
    private readonly bool _append;
    private byte[] _content;
    private int _length;
    private long _position;
    private bool _written;
    private bool _loaded;
    private long _cached = -1;
    private bool _closed;

    public FileStream(string path, FileMode mode)
        : this(path, mode, mode == FileMode.Append ? FileAccess.Write : FileAccess.ReadWrite)
    {
    }

    public FileStream(string path, FileMode mode, FileAccess access)
        : this(path, mode, access, FileShare.Read, 4096)
    {
    }

    public FileStream(string path, FileMode mode, FileAccess access, FileShare share)
        : this(path, mode, access, share, 4096)
    {
    }

    public FileStream(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize)
    {
        _ = share;
        _ = bufferSize;
        _drive = File.Drive();
        _path = path;
        _access = access;
        _content = _drive.Open(path,
            create: mode is FileMode.Create or FileMode.CreateNew or FileMode.OpenOrCreate or FileMode.Append,
            truncate: mode is FileMode.Create or FileMode.Truncate,
            mustNotExist: mode == FileMode.CreateNew,
            mustExist: mode is FileMode.Open or FileMode.Truncate);
        _length = _content.Length;
        _append = mode == FileMode.Append;
        _position = _append ? _length : 0;
        _written = mode is FileMode.Create or FileMode.CreateNew or FileMode.Truncate; // creates the file on close even if empty
    }

    public bool CanRead => (_access & FileAccess.Read) != 0;

    public bool CanWrite => (_access & FileAccess.Write) != 0;

    public bool CanSeek => true;

    public long Length => _length;

    public long Position
    {
        get => _position;
        set => _position = value;
    }

    public int Read(byte[] buffer, int offset, int count)
    {
        Check(CanRead, "read");
        int n = (int)Math.Max(0, Math.Min(count, _length - _position));

        // littlefs reads what the call touches, in read_size units through the file's cache
        // (TwinLittleFs.Read), not the whole file: a header read of a 4 KB file costs 512 B.
        _cached = _drive.Read(_length, _position, n, _cached, first: !_loaded);
        _loaded |= n > 0;
        Array.Copy(_content, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public int ReadByte()
    {
        byte[] one = new byte[1];
        return Read(one, 0, 1) == 1 ? one[0] : -1;
    }

    public void Write(byte[] buffer, int offset, int count)
    {
        Check(CanWrite, "write");
        long end = _position + count;
        if (end > _content.Length)
        {
            Array.Resize(ref _content, (int)Math.Max(end, _content.Length * 2L));
        }

        Array.Copy(buffer, offset, _content, _position, count);
        _position = end;
        _length = (int)Math.Max(_length, end);
        _written = true;
    }

    public void WriteByte(byte value) => Write(new[] { value }, 0, 1);

    public long Seek(long offset, SeekOrigin origin)
    {
        Check(true, "seek");
        _position = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _position + offset, _ => _length + offset };
        return _position;
    }

    public void SetLength(long value)
    {
        Check(CanWrite, "set the length of");
        Array.Resize(ref _content, (int)Math.Max(value, _content.Length));
        if (value > _length)
        {
            Array.Clear(_content, _length, (int)value - _length);
        }

        _length = (int)value;
        _written = true;
    }

    /// <summary>Does not commit: littlefs writes the file's new content to flash only when it is closed.</summary>
    public void Flush() => Check(true, "flush");

    public void Close() => Dispose();

    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        byte[]? commit = null;
        if (_written)
        {
            commit = new byte[_length];
            Array.Copy(_content, commit, _length);
        }

        _drive.Close(_path, commit, _append);
    }

    private void Check(bool allowed, string what)
    {
        TwinBoard.Current.EnsureRunning();
        if (_closed)
        {
            throw new ObjectDisposedException(_path);
        }

        if (!allowed)
        {
            throw new NotSupportedException($"{_path}: cannot {what} this stream");
        }
    }
}
