using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bulwark.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ProjectPanPolicy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PanPolicy",
                table: "projects",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "reject");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PanPolicy",
                table: "projects");
        }
    }
}
