using System.Text;

namespace CityNode.Cli.Commands;

/// <summary>
/// A write-only stream onto a TextWriter, so JSON written with Utf8JsonWriter goes through
/// <see cref="Console.Out"/> (which tests and hosts may redirect) rather than the raw stdout handle.
/// The decoder keeps a multi-byte character that straddles two writes.
/// </summary>
internal sealed class TextWriterStream(TextWriter writer) : Stream
{
    private readonly Decoder _decoder = new UTF8Encoding(false, true).GetDecoder();
    private char[] _chars = new char[4096];

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        int need = _decoder.GetCharCount(buffer, flush: false);
        if (need > _chars.Length)
        {
            _chars = new char[need];
        }

        int n = _decoder.GetChars(buffer, _chars, flush: false);
        writer.Write(_chars, 0, n);
    }

    public override void Flush() => writer.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
