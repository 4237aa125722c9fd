using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bulwark.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class PersonalFieldsSealed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_users_Login",
                table: "users");

            migrationBuilder.DropColumn(
                name: "Login",
                table: "break_glass_sessions");

            migrationBuilder.AlterColumn<string>(
                name: "Login",
                table: "users",
                type: "TEXT",
                maxLength: 64,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 64);

            migrationBuilder.AlterColumn<string>(
                name: "DisplayName",
                table: "users",
                type: "TEXT",
                maxLength: 128,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 128);

            migrationBuilder.AddColumn<byte[]>(
                name: "DisplayNameSealed",
                table: "users",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "LoginIndex",
                table: "users",
                type: "BLOB",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "LoginSealed",
                table: "users",
                type: "BLOB",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_users_LoginIndex",
                table: "users",
                column: "LoginIndex",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_users_LoginIndex",
                table: "users");

            migrationBuilder.DropColumn(
                name: "DisplayNameSealed",
                table: "users");

            migrationBuilder.DropColumn(
                name: "LoginIndex",
                table: "users");

            migrationBuilder.DropColumn(
                name: "LoginSealed",
                table: "users");

            migrationBuilder.AlterColumn<string>(
                name: "Login",
                table: "users",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "DisplayName",
                table: "users",
                type: "TEXT",
                maxLength: 128,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 128,
                oldNullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Login",
                table: "break_glass_sessions",
                type: "TEXT",
                maxLength: 128,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "IX_users_Login",
                table: "users",
                column: "Login",
                unique: true);
        }
    }
}
