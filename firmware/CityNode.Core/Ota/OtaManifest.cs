using CityNode.Util;

namespace CityNode.Ota
{
    /// <summary>A manifest refused by the parser: which field (<see cref="Field"/>, one of <see cref="OtaManifest"/>'s F* codes) and what is wrong.</summary>
    public sealed class ManifestException : System.Exception
    {
        public ManifestException(int field, string problem)
            : base(OtaManifest.FieldOf(field) + ": " + problem)
        {
            Field = field;
        }

        public int Field { get; private set; }
    }

    /// <summary>
    /// The release manifest (docs/ota.md, "Manifest"): a bounded little-endian binary record parsed in
    /// place — the parsed manifest keeps the message and reads its fields by offset, so a manifest of
    /// up to <see cref="MaxLength"/> bytes costs one array. Every length is checked against its bound
    /// and against the bytes left before it is used; a manifest with trailing bytes is refused.
    /// </summary>
    public sealed class OtaManifest
    {
        public const uint Magic = 0x544F4E43; // "CNOT"
        public const int Format = 1;

        /// <summary>Signature algorithm 0: a release template from `citynode release` without a key; nodes refuse it.</summary>
        public const int Unsigned = 0;

        /// <summary>Signature algorithm 1: HMAC-SHA256 over every byte before the MAC, with the node's provisioned key.</summary>
        public const int HmacSha256 = 1;

        public const int TargetAny = 0;
        public const int TargetNode = 1;
        public const int TargetGroup = 2;

        public const int MaxTargetLength = 32;
        public const int MaxFiles = 16;
        public const int MaxNameLength = 32;
        public const int MinChunkSize = 256;
        public const int MaxChunkSize = 4096;

        /// <summary>Chunks in a release: 64 × 4 KB = 256 KB, the whole littlefs drive of a 4 MB ESP32 (docs/ota.md, flash layout).</summary>
        public const int MaxChunks = 64;

        public const int HashSize = 32;

        /// <summary>The longest manifest: fits one 4 KB sector with its length and CRC.</summary>
        public const int MaxLength = 20 + MaxTargetLength + 3 + (MaxFiles * (1 + MaxNameLength + 4 + HashSize)) + (MaxChunks * HashSize) + HashSize;

        // Field codes, reported as the failure detail of a malformed manifest.
        public const int FLength = 0;
        public const int FMagic = 1;
        public const int FFormat = 2;
        public const int FSignatureAlgorithm = 3;
        public const int FVersion = 4;
        public const int FCounter = 5;
        public const int FMinLoader = 6;
        public const int FTargetKind = 7;
        public const int FTarget = 8;
        public const int FChunkSize = 9;
        public const int FFileCount = 10;
        public const int FFileName = 11;
        public const int FFileSize = 12;
        public const int FChunkHashes = 13;
        public const int FSignature = 14;

        private static readonly string[] FieldNames =
        {
            "length", "magic", "format", "signature algorithm", "version", "counter", "minimum loader version",
            "target kind", "target", "chunk size", "file count", "file name", "file size", "chunk hashes", "signature",
        };

        private readonly byte[] _data;
        private readonly int[] _fileAt = new int[MaxFiles]; // offset of each file's name length byte
        private readonly int[] _firstChunk = new int[MaxFiles + 1];
        private int _chunkHashesAt;
        private int _targetAt;

        private OtaManifest(byte[] data, int length)
        {
            _data = data;
            Length = length;
        }

        public static string FieldOf(int field)
        {
            return field >= 0 && field < FieldNames.Length ? FieldNames[field] : "field " + field.ToString();
        }

        /// <summary>The message (the parser's input array, not copied).</summary>
        public byte[] Data { get { return _data; } }

        public int Length { get; private set; }

        /// <summary>Bytes covered by the signature: all before the trailing MAC.</summary>
        public int SignedLength { get { return Length - HashSize; } }

        public int SignatureAlgorithm { get; private set; }

        public uint Version { get; private set; }

        /// <summary>Anti-rollback counter: strictly increasing over the releases of a fleet.</summary>
        public uint Counter { get; private set; }

        public uint MinLoader { get; private set; }

        public int TargetKind { get; private set; }

        public int TargetLength { get; private set; }

        public int ChunkSize { get; private set; }

        public int FileCount { get; private set; }

        public int ChunkCount { get { return _firstChunk[FileCount]; } }

        public int TotalBytes { get; private set; }

        public int FileSize(int file)
        {
            int at = _fileAt[file];
            return (int)LittleEndian.ReadUInt32(_data, at + 1 + _data[at]);
        }

        /// <summary>Offset in <see cref="Data"/> of the file's SHA-256.</summary>
        public int FileHashAt(int file)
        {
            int at = _fileAt[file];
            return at + 1 + _data[at] + 4;
        }

        public string FileName(int file)
        {
            int at = _fileAt[file];
            return Ascii(at + 1, _data[at]);
        }

        public int FirstChunk(int file)
        {
            return _firstChunk[file];
        }

        /// <summary>Offset in <see cref="Data"/> of the chunk's SHA-256.</summary>
        public int ChunkHashAt(int chunk)
        {
            return _chunkHashesAt + (chunk * HashSize);
        }

        /// <summary>Bytes in a chunk: the chunk size, less in the last chunk of a file.</summary>
        public int ChunkLength(int chunk)
        {
            int file = FileOfChunk(chunk);
            int offset = (chunk - _firstChunk[file]) * ChunkSize;
            int left = FileSize(file) - offset;
            return left < ChunkSize ? left : ChunkSize;
        }

        public int FileOfChunk(int chunk)
        {
            int f = 0;
            while (f + 1 < FileCount && chunk >= _firstChunk[f + 1])
            {
                f++;
            }

            return f;
        }

        /// <summary>True when the target is exactly <paramref name="name"/> (ASCII, case-sensitive).</summary>
        public bool TargetIs(string name)
        {
            if (name == null || name.Length != TargetLength)
            {
                return false;
            }

            for (int i = 0; i < TargetLength; i++)
            {
                if (_data[_targetAt + i] != name[i])
                {
                    return false;
                }
            }

            return true;
        }

        public string Target { get { return Ascii(_targetAt, TargetLength); } }

        /// <summary>Parses <paramref name="length"/> bytes of <paramref name="data"/> (kept, not copied); <see cref="ManifestException"/> says which field is wrong.</summary>
        public static OtaManifest Parse(byte[] data, int length)
        {
            if (data == null || length < 0 || length > data.Length)
            {
                throw new ManifestException(FLength, "no message");
            }

            if (length > MaxLength)
            {
                throw new ManifestException(FLength, length.ToString() + " bytes, at most " + MaxLength.ToString());
            }

            var m = new OtaManifest(data, length);
            int at = 0;
            Need(length, at, 4, FMagic);
            if (LittleEndian.ReadUInt32(data, 0) != Magic)
            {
                throw new ManifestException(FMagic, "not a CityNode manifest (\"CNOT\")");
            }

            at = 4;
            Need(length, at, 1, FFormat);
            if (data[at] != Format)
            {
                throw new ManifestException(FFormat, data[at].ToString() + ", this loader reads format " + Format.ToString());
            }

            at++;
            Need(length, at, 1, FSignatureAlgorithm);
            m.SignatureAlgorithm = data[at++];
            if (m.SignatureAlgorithm != Unsigned && m.SignatureAlgorithm != HmacSha256)
            {
                throw new ManifestException(FSignatureAlgorithm, m.SignatureAlgorithm.ToString() + " is unknown (0 unsigned, 1 HMAC-SHA256)");
            }

            Need(length, at, 4, FVersion);
            m.Version = LittleEndian.ReadUInt32(data, at);
            at += 4;
            Need(length, at, 4, FCounter);
            m.Counter = LittleEndian.ReadUInt32(data, at);
            if (m.Counter == 0)
            {
                throw new ManifestException(FCounter, "0 is the cable-installed image's; a release counts from 1");
            }

            at += 4;
            Need(length, at, 4, FMinLoader);
            m.MinLoader = LittleEndian.ReadUInt32(data, at);
            at += 4;
            Need(length, at, 2, FTargetKind);
            m.TargetKind = data[at];
            m.TargetLength = data[at + 1];
            at += 2;
            if (m.TargetKind > TargetGroup)
            {
                throw new ManifestException(FTargetKind, m.TargetKind.ToString() + " is unknown (0 any, 1 node, 2 group)");
            }

            if ((m.TargetKind == TargetAny) != (m.TargetLength == 0) || m.TargetLength > MaxTargetLength)
            {
                throw new ManifestException(FTarget, "length " + m.TargetLength.ToString() + " (1 to " + MaxTargetLength.ToString() + " for a node or group, 0 for any)");
            }

            Need(length, at, m.TargetLength, FTarget);
            m._targetAt = at;
            CheckName(data, at, m.TargetLength, FTarget);
            at += m.TargetLength;
            Need(length, at, 3, FChunkSize);
            m.ChunkSize = LittleEndian.ReadUInt16(data, at);
            if (m.ChunkSize < MinChunkSize || m.ChunkSize > MaxChunkSize)
            {
                throw new ManifestException(FChunkSize, m.ChunkSize.ToString() + ", must be " + MinChunkSize.ToString() + " to " + MaxChunkSize.ToString());
            }

            m.FileCount = data[at + 2];
            at += 3;
            if (m.FileCount < 1 || m.FileCount > MaxFiles)
            {
                throw new ManifestException(FFileCount, m.FileCount.ToString() + ", must be 1 to " + MaxFiles.ToString());
            }

            int chunks = 0;
            long total = 0;
            for (int f = 0; f < m.FileCount; f++)
            {
                Need(length, at, 1, FFileName);
                int nameLength = data[at];
                if (nameLength < 1 || nameLength > MaxNameLength)
                {
                    throw new ManifestException(FFileName, "file " + f.ToString() + ": name length " + nameLength.ToString() + ", must be 1 to " + MaxNameLength.ToString());
                }

                Need(length, at + 1, nameLength, FFileName);
                CheckName(data, at + 1, nameLength, FFileName);
                for (int g = 0; g < f; g++)
                {
                    if (SameName(data, m._fileAt[g], at))
                    {
                        throw new ManifestException(FFileName, "file " + f.ToString() + " repeats the name of file " + g.ToString());
                    }
                }

                m._fileAt[f] = at;
                at += 1 + nameLength;
                Need(length, at, 4 + HashSize, FFileSize);
                uint size = LittleEndian.ReadUInt32(data, at);
                if (size == 0 || size > (uint)(MaxChunks * MaxChunkSize))
                {
                    throw new ManifestException(FFileSize, "file " + f.ToString() + ": " + size.ToString() + " bytes, must be 1 to " + (MaxChunks * MaxChunkSize).ToString());
                }

                m._firstChunk[f] = chunks;
                chunks += (int)((size + (uint)m.ChunkSize - 1) / (uint)m.ChunkSize);
                total += size;
                if (chunks > MaxChunks)
                {
                    throw new ManifestException(FFileSize, "the files need " + chunks.ToString() + " chunks or more, at most " + MaxChunks.ToString());
                }

                at += 4 + HashSize;
            }

            m._firstChunk[m.FileCount] = chunks;
            m.TotalBytes = (int)total;
            m._chunkHashesAt = at;
            Need(length, at, chunks * HashSize, FChunkHashes);
            at += chunks * HashSize;
            Need(length, at, HashSize, FSignature);
            at += HashSize;
            if (at != length)
            {
                throw new ManifestException(FLength, (length - at).ToString() + " bytes after the signature");
            }

            return m;
        }

        /// <summary>True when the trailing MAC is the HMAC-SHA256 of the signed bytes under <paramref name="mac"/>'s key (compared in constant time).</summary>
        public bool SignedWith(IHash256 mac, byte[] scratch32)
        {
            if (SignatureAlgorithm != HmacSha256)
            {
                return false;
            }

            mac.Reset();
            mac.Update(_data, 0, SignedLength);
            mac.Final(scratch32, 0);
            return Same(scratch32, 0, _data, SignedLength, HashSize);
        }

        /// <summary>Compares without an early exit, so the time does not tell how many leading bytes of a forged MAC were right.</summary>
        public static bool Same(byte[] a, int aAt, byte[] b, int bAt, int count)
        {
            int diff = 0;
            for (int i = 0; i < count; i++)
            {
                diff |= a[aAt + i] ^ b[bAt + i];
            }

            return diff == 0;
        }

        private static void Need(int length, int at, int count, int field)
        {
            if (length - at < count)
            {
                throw new ManifestException(field, "truncated: needs " + count.ToString() + " bytes at offset " + at.ToString() + ", " + (length - at).ToString() + " left");
            }
        }

        // File names become littlefs paths on the loader: letters, digits, '.', '-', '_' only, so a
        // manifest cannot name "../" or a folder.
        private static void CheckName(byte[] data, int at, int count, int field)
        {
            for (int i = 0; i < count; i++)
            {
                byte c = data[at + i];
                bool ok = (c >= (byte)'a' && c <= (byte)'z') || (c >= (byte)'A' && c <= (byte)'Z') || (c >= (byte)'0' && c <= (byte)'9')
                    || c == (byte)'-' || c == (byte)'_' || (c == (byte)'.' && field == FFileName && i > 0);
                if (!ok)
                {
                    throw new ManifestException(field, "byte " + c.ToString() + " at position " + i.ToString() + " (letters, digits, '-', '_'" + (field == FFileName ? ", '.' not first)" : ")"));
                }
            }
        }

        private static bool SameName(byte[] data, int a, int b)
        {
            return data[a] == data[b] && Same(data, a + 1, data, b + 1, data[a]);
        }

        private string Ascii(int at, int count)
        {
            char[] chars = new char[count];
            for (int i = 0; i < count; i++)
            {
                chars[i] = (char)_data[at + i];
            }

            return new string(chars);
        }
    }
}
