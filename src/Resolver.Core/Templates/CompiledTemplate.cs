using System.Collections.Frozen;
using Resolver.Core.Records;

namespace Resolver.Core.Templates;

/// <summary>
/// One template version ready to judge records (SPEC §6a): built once by <see cref="TemplateCompiler"/>, then shared by
/// every write that declares it, so a record's check is lookups and the data types' parsers, never a regex construction.
/// </summary>
public sealed class CompiledTemplate
{
    private readonly FrozenDictionary<string, CompiledItem> _byCode;
    private readonly FrozenDictionary<int, CompiledItem> _byIndex;
    private readonly CompiledItem[] _items;

    internal CompiledTemplate(TemplateDefinition definition, string text, IReadOnlyList<CompiledItem> items)
    {
        Definition = definition;
        Text = text;
        _byCode = items.ToFrozenDictionary(i => i.Item.Code, StringComparer.OrdinalIgnoreCase);
        _byIndex = items.ToFrozenDictionary(i => i.Item.Index);
        _items = [.. items];
    }

    /// <summary>The definition as published.</summary>
    public TemplateDefinition Definition { get; }

    /// <summary>The definition's JSON text exactly as stored: published versions are compared by it.</summary>
    public string Text { get; }

    /// <summary>The item governing values of <paramref name="type"/> (ignoring ASCII case), if any.</summary>
    public TemplateItem? ItemOf(string type) => _byCode.GetValueOrDefault(type)?.Item;

    /// <summary>
    /// Judges <paramref name="values"/>, a record's values as they would be committed: every required item present, each
    /// item's value at its index (a repeatable item's further values at indexes no other item takes) with text that is of
    /// the item's data type and within its lengths, members and pattern; no value of a type no item names unless the
    /// template allows extra items. Values of reserved types (<see cref="TemplateTypes.IsExempt"/>) are not judged.
    /// </summary>
    /// <returns>Every broken rule, each naming the item (or the value's type), its index and the rule; empty when the record conforms.</returns>
    public IReadOnlyList<string> Check(IReadOnlyList<HandleValue> values)
    {
        List<string>? broken = null;
        HashSet<string>? present = null;
        foreach (var value in values)
        {
            if (TemplateTypes.IsExempt(value.Type))
            {
                continue;
            }

            if (!_byCode.TryGetValue(value.Type, out var item))
            {
                if (_byIndex.TryGetValue(value.Index, out var owner))
                {
                    Add(ref broken, $"index {value.Index} belongs to item {owner.Item.Code}, not to a value of type {value.Type}");
                }
                else if (!Definition.AllowExtraItems)
                {
                    Add(ref broken, $"value {value.Index} has type {value.Type}, which no item of the template names (and it allows no extra items)");
                }

                continue;
            }

            var code = item.Item.Code;
            if (!(present ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase)).Add(code) && !item.Item.Repeatable)
            {
                Add(ref broken, $"item {code} (index {value.Index}): given more than once, and it does not repeat");
                continue;
            }

            if (value.Index != item.Item.Index && (!item.Item.Repeatable || _byIndex.ContainsKey(value.Index)))
            {
                Add(ref broken, $"item {code}: at index {value.Index}, but its index is {item.Item.Index}");
                continue;
            }

            if (value.Data.Text is not { } text)
            {
                Add(ref broken, $"item {code} (index {value.Index}): binary data, but the item is {item.Item.DataType} text");
            }
            else if (item.Check(text) is { } rule)
            {
                Add(ref broken, $"item {code} (index {value.Index}): {rule}");
            }
        }

        foreach (var item in _items)
        {
            if (item.Item.Required && present?.Contains(item.Item.Code) != true)
            {
                Add(ref broken, $"item {item.Item.Code} (index {item.Item.Index}) is required and missing");
            }
        }

        return broken ?? (IReadOnlyList<string>)[];
    }

    private static void Add(ref List<string>? broken, string rule) => (broken ??= []).Add(rule);
}
