using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Resolver.Server.Configuration;

/// <summary>A whole-number setting's allowed range; the failure names the setting's flag and the value given.</summary>
/// <param name="min">The smallest value allowed.</param>
/// <param name="max">The largest value allowed.</param>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SettingRangeAttribute(int min, int max) : ValidationAttribute
{
    public int Min { get; } = min;

    public int Max { get; } = max;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is int number && (number < Min || number > Max)
            ? new ValidationResult(string.Create(CultureInfo.InvariantCulture, $"{ServerSettings.FlagOf(validationContext.ObjectType, validationContext.MemberName)} {number} is out of range: give {Min} to {Max}"))
            : ValidationResult.Success;
}
