namespace CityNode.NanoTwin;

/// <summary>
/// littlefs geometry and the SPI NOR timing it costs on an ESP32 module. Defaults: the I: partition
/// of an 8 MB board (nanoframework/nf-interpreter targets/ESP32/_IDF/esp32/partitions_nanoclr_8mb.csv:
/// "config" 2 MB). nanoFramework reaches littlefs through the ESP-IDF VFS (nf-interpreter
/// targets/ESP32/_littlefs/littlefs_FS_Driver.cpp: fopen/fread/fwrite/fclose), i.e. joltwallet/esp_littlefs,
/// and its sdkconfig (nf-interpreter targets/ESP32/_IDF/sdkconfig.default) sets no CONFIG_LITTLEFS_*, so
/// the esp_littlefs Kconfig defaults apply (joltwallet/esp_littlefs Kconfig: LITTLEFS_READ_SIZE 128,
/// LITTLEFS_WRITE_SIZE 128, LITTLEFS_CACHE_SIZE 512, LITTLEFS_BLOCK_CYCLES 512, block 4096 =
/// the flash sector; src/esp_littlefs.c copies them into lfs_config). NOR timing from the issue's
/// figures (4 KB rewrite ≈ 60 ms = sector erase ≈ 45 ms + 16 page programs, 4 KB load ≈ 2 ms), which
/// match common SPI NOR datasheets (e.g. GD25Q64: tSE 45 ms typ, tPP 0.9 ms typ for a 256 B page).
/// </summary>
public sealed record LittleFsGeometry
{
    public int BlockSize { get; init; } = 4096;
    public int BlockCount { get; init; } = 512;

    /// <summary>lfs_config.read_size: every read is a multiple of it.</summary>
    public int ReadSize { get; init; } = 128;

    /// <summary>lfs_config.prog_size: every program (a metadata commit included) is padded to it.</summary>
    public int ProgSize { get; init; } = 128;

    /// <summary>lfs_config.cache_size: the read cache and each open file's cache.</summary>
    public int CacheSize { get; init; } = 512;

    /// <summary>The NOR chip's page: a program of up to this many bytes is one page-program operation.</summary>
    public int PageSize { get; init; } = 256;

    /// <summary>
    /// lfs_config.block_cycles: a metadata pair is moved to other blocks every (block_cycles+1)|1
    /// erases (littlefs lfs.c lfs_dir_needsrelocation), which also commits the new pair to its parent.
    /// </summary>
    public int BlockCycles { get; init; } = 512;

    /// <summary>LFS_ATTR_MAX (littlefs lfs.h: 1022), the default attr_max.</summary>
    public int AttrMax { get; init; } = 1022;

    /// <summary>
    /// Files up to this size live inside their directory's metadata (littlefs inline files). littlefs
    /// lfs.c lfs_init: inline_max left at 0 becomes min(cache_size, attr_max, block_size/8)
    /// (metadata_max unset) = min(512, 1022, 512) = 512 B with esp_littlefs's defaults.
    /// </summary>
    public int InlineMax => Math.Min(CacheSize, Math.Min(AttrMax, BlockSize / 8));

    /// <summary>
    /// A compacted metadata pair holding more than this is split in two (littlefs lfs.c
    /// lfs_dir_splittingcompact: the entries kept must fit min(block_size - 40, alignup(block_size/2, prog_size)).
    /// </summary>
    public int SplitAbove => Math.Min(BlockSize - 40, (BlockSize / 2 + ProgSize - 1) / ProgSize * ProgSize);

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
/// opening fetches the metadata pair that holds the file's entry, reading costs the read-size units
/// it touches outside the file's cache, committing programs new blocks copy-on-write (a rewritten
/// block costs an erase + its pages; the first write after reopening a file relocates its partly
/// written last block), plus a metadata commit padded to prog_size that compacts its pair (erase +
/// rewrite of the live entries) when the log block is full, and splits the pair when what stays is
/// more than about half a block. Erases per block are kept for wear figures. Power cuts are armed by
/// count of flash operations (erase or page program).
/// </summary>
public sealed class TwinLittleFs
{
    /// <summary>One metadata pair: two blocks holding a log of commits for the entries in a name range of one directory.</summary>
    private sealed class MetaPair
    {
        public readonly SortedSet<string> Names = new(StringComparer.Ordinal);
        public int Log;
        public int Compactions;
    }

    private readonly TwinBoard _board;
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _fileBlocks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<MetaPair>> _pairs = new(StringComparer.Ordinal);
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
        _pairs[""] = new List<MetaPair> { new() };
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

    /// <summary>Flash time the drive has cost (reads, erases, page programs), µs: the board books it as active CPU (<see cref="ActiveWork.Flash"/>).</summary>
    public long FlashMicros { get; private set; }

    public IEnumerable<string> Files => _files.Keys;

    /// <summary>Metadata pairs of a directory (host side: tests of the split).</summary>
    public int MetadataPairs(string path) => _pairs.TryGetValue(Normalize(path), out var l) ? l.Count : 0;

    /// <summary>Puts a file on the drive as nanoff's file deployment does (no cost, before the program runs).</summary>
    public void Deploy(string path, byte[] content)
    {
        string p = Normalize(path);
        EnsureParents(p);
        if (_files.ContainsKey(p))
        {
            _usedBlocks -= _fileBlocks[p];
        }
        else
        {
            PairOf(p, add: true);
        }

        _files[p] = (byte[])content.Clone();
        _fileBlocks[p] = BlocksFor(content.Length);
        _usedBlocks += _fileBlocks[p];
    }

    /// <summary>Removes a file as a technician's tool would (host side; booked like a delete by the program).</summary>
    public void Undeploy(string path)
    {
        string p = Normalize(path);
        if (_files.ContainsKey(p))
        {
            Delete(path);
        }
    }

    /// <summary>Content of a committed file (host side: tests and reports), or null.</summary>
    public byte[]? Peek(string path) => _files.TryGetValue(Normalize(path), out var b) ? (byte[])b.Clone() : null;

    internal bool Exists(string path)
    {
        string p = Normalize(path);
        Cost(_board, OpenCost(p));
        return _files.ContainsKey(p);
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
        if (_files.ContainsKey(p))
        {
            Commit(p, _geometry.EntryBytes, deleting: true);
            _files.Remove(p);
            _usedBlocks -= _fileBlocks[p];
            _fileBlocks.Remove(p);
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

    /// <summary>
    /// A read of [<paramref name="position"/>, +<paramref name="count"/>) from a file of
    /// <paramref name="length"/> bytes whose cache holds the window starting at <paramref name="cached"/>
    /// (-1: nothing yet). Inline files came with the metadata fetch. Otherwise littlefs reads through
    /// the file's cache_size cache (lfs.c lfs_file_flushedread → lfs_bd_read): a read inside the cached
    /// window costs nothing, a read of at least a cache reads its read_size-aligned bytes directly, a
    /// smaller one fills the cache with the window around it. The first read of an open counts as a file load.
    /// Returns the window the cache holds afterwards.
    /// </summary>
    internal long Read(int length, long position, int count, long cached, bool first)
    {
        if (length <= _geometry.InlineMax || count <= 0)
        {
            return cached;
        }

        long end = Math.Min(length, position + count);
        if (cached >= 0 && position >= cached && end <= cached + _geometry.CacheSize)
        {
            return cached;
        }

        long from = position / _geometry.ReadSize * _geometry.ReadSize;
        long to;
        long window = cached;
        if (count >= _geometry.CacheSize)
        {
            to = (end + _geometry.ReadSize - 1) / _geometry.ReadSize * _geometry.ReadSize;
        }
        else
        {
            from = position / _geometry.CacheSize * _geometry.CacheSize;
            to = Math.Min(from + _geometry.CacheSize, (length + _geometry.ReadSize - 1) / _geometry.ReadSize * _geometry.ReadSize);
            window = from;
        }

        if (first)
        {
            _board.Ledger.FileLoads++;
        }

        _board.Ledger.BytesRead += to - from;
        Cost(_board, (to - from) * _geometry.ReadMicrosPerKb / 1024);
        return window;
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
                    Program(bytes);
                }
            }

            bool isNew = !_files.ContainsKey(p);
            Commit(p, _geometry.EntryBytes + inline, deleting: false, isNew ? content.Length : -1);

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

    /// <summary>
    /// A metadata commit of <paramref name="bytes"/> for the entry of <paramref name="path"/> into its
    /// pair's log (padded to prog_size). A full log compacts: littlefs lfs.c lfs_dir_splittingcompact
    /// first moves the upper part of the entries (by name) to new pairs until what stays fits
    /// <see cref="LittleFsGeometry.SplitAbove"/> (lfs_dir_split: a new pair, erased and written), then
    /// lfs_dir_compact erases the pair's other block and writes the live entries with this commit.
    /// A pair left with no entry by a delete is dropped (lfs_dir_relocatingcommit), its predecessor
    /// taking its tail. <paramref name="newLength"/> ≥ 0: the file is created with that length.
    /// </summary>
    private void Commit(string path, int bytes, bool deleting, int newLength = -1)
    {
        string dir = DirOf(path);
        List<MetaPair> pairs = _pairs[dir];
        MetaPair pair = PairOf(path, add: false);
        int padded = Pad(bytes);
        if (pair.Log + padded <= _geometry.BlockSize)
        {
            Program(padded);
            pair.Log += padded;
        }
        else
        {
            // Compaction (and split): the entries as they will be after this commit.
            var live = pair.Names.Where(n => !(deleting && n == path)).ToList();
            if (newLength >= 0 && !pair.Names.Contains(path))
            {
                live.Add(path);
                live.Sort(StringComparer.Ordinal);
            }

            // Plan the splits first: nothing changes unless the compaction completes (a power cut
            // during it leaves the old pair, as littlefs does: the new pairs are linked only by it).
            int end = live.Count;
            int threshold = _geometry.SplitAbove;
            var splits = new List<(int From, int To)>();
            int spare = _geometry.BlockCount - _usedBlocks;
            while (spare >= 2)
            {
                int split = 0;
                while (end - split > 1 && LiveBytes(live, split, end, path, newLength) > threshold)
                {
                    split += (end - split) / 2;
                }

                if (split == 0)
                {
                    break;
                }

                splits.Add((split, end));
                spare -= 2;
                end = split;
            }

            foreach (var (from, to) in splits)
            {
                Erase();
                Program(Pad(LiveBytes(live, from, to, path, newLength)));
            }

            int kept = Math.Max(_geometry.ProgSize, Pad(LiveBytes(live, 0, end, path, newLength)));
            Erase();
            Program(kept);
            int at = pairs.IndexOf(pair);
            foreach (var (from, to) in splits)
            {
                var moved = new MetaPair { Log = Pad(LiveBytes(live, from, to, path, newLength)) };
                for (int i = from; i < to; i++)
                {
                    moved.Names.Add(live[i]);
                    pair.Names.Remove(live[i]);
                }

                pairs.Insert(at + 1, moved); // splits come highest names first
                _usedBlocks += 2;
            }

            pair.Log = kept;
            if (++pair.Compactions % ((_geometry.BlockCycles + 1) | 1) == 0 && dir.Length > 0)
            {
                Commit(dir, _geometry.EntryBytes, deleting: false); // relocated: the parent points at the new blocks
            }
        }

        if (deleting)
        {
            pair.Names.Remove(path);
            if (pair.Names.Count == 0 && pairs.Count > 1 && pairs[0] != pair)
            {
                MetaPair before = pairs[pairs.IndexOf(pair) - 1];
                pairs.Remove(pair);
                _usedBlocks -= 2;
                Program(_geometry.ProgSize); // the predecessor's tail moves on
                before.Log += _geometry.ProgSize;
            }
        }
        else if (!PairOf(path, add: false).Names.Contains(path))
        {
            PairOf(path, add: true);
        }
    }

    /// <summary>Bytes a compaction writes for entries [from, to) of <paramref name="live"/>.</summary>
    private int LiveBytes(List<string> live, int from, int to, string path, int newLength)
    {
        int sum = 0;
        for (int i = from; i < to; i++)
        {
            int length = live[i] == path && newLength >= 0 ? newLength : _files.TryGetValue(live[i], out var c) ? c.Length : 0;
            sum += _geometry.EntryBytes + (length <= _geometry.InlineMax ? length : 0);
        }

        return sum;
    }

    /// <summary>The pair whose name range holds <paramref name="path"/> (littlefs keeps a directory's entries sorted by name across its pairs).</summary>
    private MetaPair PairOf(string path, bool add)
    {
        List<MetaPair> pairs = _pairs[DirOf(path)];
        MetaPair pick = pairs[0];
        foreach (MetaPair pair in pairs)
        {
            if (pair.Names.Count > 0 && string.CompareOrdinal(pair.Names.Min, path) <= 0)
            {
                pick = pair;
            }
        }

        if (add)
        {
            pick.Names.Add(path);
        }

        return pick;
    }

    private int Pad(int bytes) => (bytes + _geometry.ProgSize - 1) / _geometry.ProgSize * _geometry.ProgSize;

    /// <summary>lfs_dir_fetch: the pair's revision counts, then its log up to the last valid commit.</summary>
    private long OpenCost(string path)
    {
        long log = _geometry.ReadSize;
        if (_pairs.ContainsKey(DirOf(path)))
        {
            log = Math.Max(log, PairOf(path, add: false).Log);
        }

        return log * _geometry.ReadMicrosPerKb / 1024;
    }

    private void Erase()
    {
        FlashOperation();
        _erases[_cursor]++;
        _cursor = (_cursor + 1) % _erases.Length; // littlefs's allocator walks the device: wear spreads
        _board.Ledger.BlockErases++;
        Cost(_board, _geometry.EraseMicros);
    }

    /// <summary>Programs <paramref name="bytes"/> (already a multiple of prog_size): one page-program operation per NOR page touched.</summary>
    private void Program(int bytes)
    {
        int pages = Math.Max(1, (bytes + _geometry.PageSize - 1) / _geometry.PageSize);
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

    private void Cost(TwinBoard board, long micros)
    {
        FlashMicros += micros;
        board.Busy(micros, ActiveWork.Flash);
    }

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
            _pairs[dir] = new List<MetaPair> { new() };
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
