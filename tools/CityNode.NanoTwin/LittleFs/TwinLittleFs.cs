namespace CityNode.NanoTwin;

/// <summary>
/// littlefs geometry and the SPI NOR timing it costs on an ESP32 module. Defaults: the I: partition
/// of an 8 MB board (nanoframework/nf-interpreter targets/ESP32/_IDF/esp32/partitions_nanoclr_8mb.csv:
/// "config" 2 MB); esp_littlefs (joltwallet/esp_littlefs src/esp_littlefs.c) uses the flash's 4 KB
/// sector as block and the cache sizes of its Kconfig; NOR timing from the figures
/// (4 KB rewrite ≈ 60 ms = sector erase ≈ 45 ms + 16 page programs, 4 KB load ≈ 2 ms), which match
/// common SPI NOR datasheets (e.g. GD25Q64: tSE 45 ms typ, tPP 0.9 ms typ for 256 B).
/// </summary>
public sealed record LittleFsGeometry
{
    public int BlockSize { get; init; } = 4096;
    public int BlockCount { get; init; } = 512;
    public int ProgSize { get; init; } = 256;
    /// <summary>Files up to this size live inside their directory's metadata (littlefs inline files: min(cache, block/8)).</summary>
    public int InlineMax { get; init; } = 256;
    public int EraseMicros { get; init; } = 45_000;
    public int ProgramMicrosPerPage { get; init; } = 940;
    public int ReadMicrosPerKb { get; init; } = 500;
    /// <summary>Bytes of metadata a commit writes for one file besides inline data (tags, name, CTZ head).</summary>
    public int EntryBytes { get; init; } = 24;
}

/// <summary>
/// The littlefs I: drive of a twin board, with what matters to the node: a file's new content is
/// committed only when the file is closed (Flush does not: nf-interpreter
/// targets/ESP32/_littlefs/littlefs_FS_Driver.cpp does fwrite/fflush only; lfs_file_close commits),
/// a commit is atomic (a power cut leaves the old content), and every operation costs flash time:
/// opening fetches the directory's metadata log, loading reads the blocks, committing programs new
/// blocks copy-on-write (a rewritten block costs an erase + its pages; the first write after
/// reopening a file relocates its partly written last block), plus a metadata commit that
/// compacts its pair (erase + rewrite) when the log block is full. Erases per block are kept for
/// wear figures. Power cuts are armed by count of flash operations (erase or page program).
/// </summary>
public sealed class TwinLittleFs
{
    private readonly TwinBoard _board;
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _fileBlocks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _dirLog = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirs = new(StringComparer.Ordinal) { "" };
    private readonly HashSet<string> _open = new(StringComparer.Ordinal);
    private int[] _erases;
    private int _cursor;
    private int _usedBlocks;
    private LittleFsGeometry _geometry = new();

    internal TwinLittleFs(TwinBoard board)
    {
        _board = board;
        _erases = new int[_geometry.BlockCount];
        _usedBlocks = 2; // the root directory's metadata pair
    }

    public LittleFsGeometry Geometry
    {
        get => _geometry;
        set
        {
            _geometry = value;
            _erases = new int[value.BlockCount];
        }
    }

    /// <summary>Flash operations (erases + page programs) left before the supply fails; 0 = not armed.</summary>
    public int PowerCutIn { get; set; }

    /// <summary>Erase count of each block (wear).</summary>
    public IReadOnlyList<int> EraseCounts => _erases;

    public int FreeBlocks => _geometry.BlockCount - _usedBlocks;

    public IEnumerable<string> Files => _files.Keys;

    /// <summary>Puts a file on the drive as nanoff's file deployment does (no cost, before the program runs).</summary>
    public void Deploy(string path, byte[] content)
    {
        string p = Normalize(path);
        EnsureParents(p);
        _files[p] = (byte[])content.Clone();
        _fileBlocks[p] = BlocksFor(content.Length);
        _usedBlocks += _fileBlocks[p];
    }

    /// <summary>Content of a committed file (host side: tests and reports), or null.</summary>
    public byte[]? Peek(string path) => _files.TryGetValue(Normalize(path), out var b) ? (byte[])b.Clone() : null;

    internal bool Exists(string path)
    {
        Cost(_board, OpenCost(Normalize(path)));
        return _files.ContainsKey(Normalize(path));
    }

    internal bool DirectoryExists(string path) => _dirs.Contains(Normalize(path));

    internal void CreateDirectory(string path)
    {
        string p = Normalize(path);
        if (_dirs.Contains(p))
        {
            return;
        }

        EnsureParents(p + "/x", create: true);
    }

    internal string[] FilesIn(string path)
    {
        string p = Normalize(path);
        if (!_dirs.Contains(p))
        {
            throw new IOException($"{path}: no such directory");
        }

        string prefix = p.Length == 0 ? "" : p + "/";
        return _files.Keys.Where(f => f.StartsWith(prefix, StringComparison.Ordinal) && f.IndexOf('/', prefix.Length) < 0)
            .Select(f => "I:\\" + f.Replace('/', '\\')).ToArray();
    }

    internal void Delete(string path)
    {
        string p = Normalize(path);
        if (_files.Remove(p))
        {
            _usedBlocks -= _fileBlocks[p];
            _fileBlocks.Remove(p);
            Commit(DirOf(p), _geometry.EntryBytes);
        }
    }

    /// <summary>Opens a file: the handle works on a private copy until <see cref="Close"/>.</summary>
    internal byte[] Open(string path, bool create, bool truncate, bool mustNotExist, bool mustExist)
    {
        _board.EnsureRunning();
        string p = Normalize(path);
        if (!_dirs.Contains(DirOf(p)))
        {
            throw new IOException($"{path}: the folder does not exist");
        }

        if (!_open.Add(p))
        {
            throw new IOException($"{path}: already open");
        }

        Cost(_board, OpenCost(p));
        _board.Ledger.FileOpens++;
        bool exists = _files.TryGetValue(p, out var content);
        if ((mustExist && !exists) || (mustNotExist && exists))
        {
            _open.Remove(p);
            throw new IOException(exists ? $"{path}: exists" : $"{path}: not found");
        }

        return truncate || !exists ? Array.Empty<byte>() : (byte[])content!.Clone();
    }

    /// <summary>Reading the file's blocks (inline files came with the metadata).</summary>
    internal void Loaded(int bytes)
    {
        if (bytes > _geometry.InlineMax)
        {
            _board.Ledger.FileLoads++;
            _board.Ledger.BytesRead += bytes;
            Cost(_board, (long)bytes * _geometry.ReadMicrosPerKb / 1024);
        }
    }

    /// <summary>lfs_file_close: commits <paramref name="content"/> atomically if the handle wrote, then releases it.</summary>
    internal void Close(string path, byte[]? content, bool reopenedForAppend)
    {
        string p = Normalize(path);
        try
        {
            if (content is null)
            {
                return;
            }

            _board.EnsureRunning();
            _files.TryGetValue(p, out var old);
            old ??= Array.Empty<byte>();
            int blocksBefore = _fileBlocks.GetValueOrDefault(p);
            int blocksAfter = BlocksFor(content.Length);
            if (_usedBlocks - blocksBefore + blocksAfter > _geometry.BlockCount)
            {
                throw new IOException($"{path}: no space left on I:");
            }

            int inline = content.Length <= _geometry.InlineMax ? content.Length : 0;
            if (inline == 0)
            {
                // Copy-on-write from the first changed block; an append after reopening relocates the tail block.
                int same = CommonPrefix(old, content);
                if (reopenedForAppend && same == old.Length && old.Length % _geometry.BlockSize != 0)
                {
                    same = old.Length / _geometry.BlockSize * _geometry.BlockSize;
                }

                int first = same / _geometry.BlockSize;
                for (int b = first; b < blocksAfter; b++)
                {
                    int bytes = Math.Min(_geometry.BlockSize, content.Length - (b * _geometry.BlockSize));
                    Erase();
                    Program((bytes + _geometry.ProgSize - 1) / _geometry.ProgSize);
                }
            }

            Commit(DirOf(p), _geometry.EntryBytes + inline);

            // Committed: the new blocks replace the old ones.
            _files[p] = content;
            _usedBlocks += blocksAfter - blocksBefore;
            _fileBlocks[p] = blocksAfter;
            _board.Ledger.FileCommits++;
        }
        finally
        {
            _open.Remove(p);
        }
    }

    private void Commit(string dir, int bytes)
    {
        int pages = (bytes + _geometry.ProgSize - 1) / _geometry.ProgSize;
        int log = _dirLog.GetValueOrDefault(dir) + (pages * _geometry.ProgSize);
        if (log > _geometry.BlockSize)
        {
            // Metadata compaction: erase the pair's other block and write the live entries there.
            int live = _files.Where(f => DirOf(f.Key) == dir).Sum(f => _geometry.EntryBytes + (f.Value.Length <= _geometry.InlineMax ? f.Value.Length : 0));
            Erase();
            Program(Math.Max(1, (live + _geometry.ProgSize - 1) / _geometry.ProgSize));
            log = ((live + _geometry.ProgSize - 1) / _geometry.ProgSize * _geometry.ProgSize) + (pages * _geometry.ProgSize);
        }
        else
        {
            Program(pages);
        }

        _dirLog[dir] = log;
    }

    private long OpenCost(string path) => (long)Math.Max(_geometry.ProgSize, _dirLog.GetValueOrDefault(DirOf(path))) * _geometry.ReadMicrosPerKb / 1024;

    private void Erase()
    {
        FlashOperation();
        _erases[_cursor]++;
        _cursor = (_cursor + 1) % _erases.Length; // littlefs's allocator walks the device: wear spreads
        _board.Ledger.BlockErases++;
        Cost(_board, _geometry.EraseMicros);
    }

    private void Program(int pages)
    {
        for (int i = 0; i < pages; i++)
        {
            FlashOperation();
            _board.Ledger.PagePrograms++;
            Cost(_board, _geometry.ProgramMicrosPerPage);
        }
    }

    private void FlashOperation()
    {
        if (PowerCutIn > 0 && --PowerCutIn == 0)
        {
            throw _board.Halt(HaltReason.PowerCut);
        }
    }

    private static void Cost(TwinBoard board, long micros) => board.Busy(micros);

    private int BlocksFor(int bytes) => bytes <= _geometry.InlineMax ? 0 : (bytes + _geometry.BlockSize - 1) / _geometry.BlockSize;

    private static int CommonPrefix(byte[] a, byte[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        int i = 0;
        while (i < n && a[i] == b[i])
        {
            i++;
        }

        return i;
    }

    private void EnsureParents(string path, bool create = true)
    {
        string dir = DirOf(path);
        while (dir.Length > 0 && !_dirs.Contains(dir))
        {
            if (!create)
            {
                throw new IOException($"{dir}: no such folder");
            }

            _dirs.Add(dir);
            _usedBlocks += 2; // a metadata pair per directory
            dir = DirOf(dir);
        }
    }

    private static string DirOf(string path)
    {
        int i = path.LastIndexOf('/');
        return i < 0 ? "" : path[..i];
    }

    /// <summary>"I:\cn\journal\s3" → "cn/journal/s3". Only the internal drive exists on this board.</summary>
    internal static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string p = path.Replace('/', '\\');
        if (!p.StartsWith("I:", StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException($"{path}: no such drive (the ESP32 board has the internal drive I: only; D: is an SD card)");
        }

        return string.Join('/', p[2..].Split('\\', StringSplitOptions.RemoveEmptyEntries));
    }
}
