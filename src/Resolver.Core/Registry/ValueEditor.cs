using Resolver.Core.Errors;
using Resolver.Core.Records;

namespace Resolver.Core.Registry;

/// <summary>
/// Turns drafts into a record's values: validates them, assigns indexes, and applies the update
/// rules (a draft without index replaces the lowest-index value of its type, or is added at the
/// lowest free index). Pure: no I/O, the time is passed in.
/// </summary>
public sealed class ValueEditor(ResolverLimits limits)
{
    /// <summary>The values of a new record; <paramref name="defaultPermissions"/> as in <see cref="Update"/>.</summary>
    public IReadOnlyList<HandleValue> Create(IReadOnlyList<ValueDraft> drafts, DateTimeOffset now, Func<string, ValuePermissions?>? defaultPermissions = null) =>
        Update([], drafts, [], now, defaultPermissions);

    /// <summary>
    /// The values of <paramref name="current"/> after removing <paramref name="removeIndexes"/> and applying
    /// <paramref name="drafts"/>. A draft without permissions keeps those of the value it replaces if that one has its
    /// type, else takes <paramref name="defaultPermissions"/> of its type (<see cref="IValueDefaults"/>), else Handle's 1110.
    /// </summary>
    public IReadOnlyList<HandleValue> Update(
        IReadOnlyList<HandleValue> current,
        IReadOnlyList<ValueDraft> drafts,
        IReadOnlyList<int> removeIndexes,
        DateTimeOffset now,
        Func<string, ValuePermissions?>? defaultPermissions = null)
    {
        foreach (var draft in drafts)
        {
            Validate(draft);
        }

        var explicitIndexes = drafts.Where(d => d.Index > 0).Select(d => d.Index).ToList();
        var duplicate = explicitIndexes.GroupBy(i => i).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw Invalid(Reasons.InvalidValue, $"index {duplicate.Key} is given twice; each value needs its own index");
        }

        var values = current.ToDictionary(v => v.Index);
        foreach (var index in removeIndexes.Distinct())
        {
            if (index < 1)
            {
                throw Invalid(Reasons.InvalidValue, $"cannot remove index {index}: indexes start at 1");
            }

            if (!values.Remove(index))
            {
                throw new ResolverException(new Problem(ErrorKind.NotFound, Reasons.ValueNotFound, $"there is no value at index {index} to remove"));
            }
        }

        // Explicit indexes first, so that "pick for me" never takes an index a sibling draft names.
        foreach (var draft in drafts.Where(d => d.Index > 0))
        {
            values.TryGetValue(draft.Index, out var replaced);
            values[draft.Index] = Materialise(draft, draft.Index, replaced, now, defaultPermissions);
        }

        // A value this request already wrote is never replaced by a sibling draft: two "URL=…"
        // drafts make two URL values.
        var written = new HashSet<int>(explicitIndexes);
        foreach (var draft in drafts.Where(d => d.Index == 0))
        {
            var replaced = values.Values
                .Where(v => ValueFilter.EqualsIgnoringAsciiCase(v.Type, draft.Type) && !written.Contains(v.Index))
                .MinBy(v => v.Index);
            var index = replaced?.Index ?? LowestFreeIndex(values);
            values[index] = Materialise(draft, index, replaced, now, defaultPermissions);
            written.Add(index);
        }

        if (values.Count > limits.MaxValuesPerRecord)
        {
            throw Invalid(Reasons.TooManyValues, $"a record may hold at most {limits.MaxValuesPerRecord} values; this one would hold {values.Count}");
        }

        return [.. values.Values.OrderBy(v => v.Index)];
    }

    /// <summary>
    /// Throws INVALID_ARGUMENT <c>record-too-large</c> when the record would no longer fit in an answer a client
    /// honouring the advertised message limit can read.
    /// </summary>
    public void EnsureFitsAnAnswer(string identifier, IReadOnlyList<HandleValue> values)
    {
        var size = RecordSize.UpperBound(identifier, values);
        if (size > limits.MaxRecordBytes)
        {
            throw Invalid(Reasons.RecordTooLarge, $"the record would take up to {size} bytes in an answer; answers are limited to {limits.MaxRecordBytes} bytes for a record (max_message_bytes less room for the envelope): keep large data elsewhere and refer to it by URL");
        }
    }

    private static HandleValue Materialise(ValueDraft draft, int index, HandleValue? replaced, DateTimeOffset now, Func<string, ValuePermissions?>? defaultPermissions) => new(
        index,
        draft.Type,
        draft.Data,
        draft.Ttl ?? replaced?.Ttl ?? HandleValue.DefaultTtl,
        now,
        draft.Permissions ?? (replaced is not null && ValueFilter.EqualsIgnoringAsciiCase(replaced.Type, draft.Type) ? replaced.Permissions : (ValuePermissions?)null) ??
            defaultPermissions?.Invoke(draft.Type) ?? ValuePermissions.Default,
        draft.References ?? []);

    private static int LowestFreeIndex(Dictionary<int, HandleValue> values)
    {
        var index = 1;
        while (values.ContainsKey(index))
        {
            index++;
        }

        return index;
    }

    private void Validate(ValueDraft draft)
    {
        if (draft.Index < 0)
        {
            throw Invalid(Reasons.InvalidValue, $"index {draft.Index} is negative; indexes start at 1 (0 picks the lowest free one)");
        }

        if (string.IsNullOrEmpty(draft.Type))
        {
            throw Invalid(Reasons.InvalidValue, "a value needs a type, e.g. URL");
        }

        if (draft.Type.Length > limits.MaxTypeLength)
        {
            throw Invalid(Reasons.InvalidValue, $"type is {draft.Type.Length} characters long; at most {limits.MaxTypeLength} are allowed");
        }

        if (draft.Type.Any(c => char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c)))
        {
            throw Invalid(Reasons.InvalidValue, "a type may not contain whitespace, control characters or lone surrogates");
        }

        if (draft.Type.StartsWith("HS_", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid("reserved-type", $"type {draft.Type} is reserved: HS_ types belong to the Handle system");
        }

        if (draft.Ttl is < 0)
        {
            throw Invalid(Reasons.InvalidValue, $"ttl {draft.Ttl} is negative; give seconds, 0 or more");
        }

        // References count toward the value's size: a value of 15,000 references is not a small value.
        if (RecordSize.OfPayload(draft.Data, draft.References) is var payload && payload > limits.MaxValueBytes)
        {
            throw Invalid(Reasons.ValueTooLarge, draft.References is { Count: > 0 }
                ? $"the {draft.Type} value has {payload} bytes with its {draft.References.Count} references; at most {limits.MaxValueBytes} are allowed (--max-value-bytes)"
                : $"the {draft.Type} value has {payload} bytes; at most {limits.MaxValueBytes} are allowed (--max-value-bytes)");
        }

        if (draft.Data.Text is { } nul && nul.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid(Reasons.InvalidValue, $"the {draft.Type} value contains U+0000; text values may not (send it as binary data instead)");
        }

        if (draft.References?.FirstOrDefault(r => r.Identifier.Any(char.IsControl) || r.Index < 0) is { } reference)
        {
            throw Invalid(Reasons.InvalidValue, $"reference to \"{reference.Identifier.Replace('\0', '?')}\" index {reference.Index} is not a valid reference (no control characters, index 0 or more)");
        }

        if (draft.Data.Text is { } text && !IsValidUnicode(text))
        {
            throw Invalid(Reasons.InvalidValue, $"the {draft.Type} value contains a lone UTF-16 surrogate; text must be valid Unicode");
        }
    }

    private static bool IsValidUnicode(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (System.Text.Rune.DecodeFromUtf16(text.AsSpan(i), out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            i += consumed;
        }

        return true;
    }

    private static ResolverException Invalid(string reason, string message) =>
        new(new Problem(ErrorKind.InvalidArgument, reason, message));
}
