using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Resolver.Server.Configuration;

/// <summary>Checks an options class's validation attributes and reports each failure as the attribute wrote it (one line naming the flag).</summary>
internal sealed class SettingAttributesValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var results = new List<ValidationResult>();
        return Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(results.Select(r => r.ErrorMessage ?? "invalid setting"));
    }
}
